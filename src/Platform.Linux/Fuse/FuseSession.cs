using Serilog;
using ThrottleFs.FileSystem;
using ThrottleFs.Hosting;
using ThrottleFs.Platform.Linux.Fuse.Uring;
using ThrottleFs.Platform.Linux.Splicing;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// Owns the /dev/fuse descriptor: reader threads take requests off it, the dispatcher handles them, and replies go
/// back from whichever thread finishes a request. Readers are dedicated threads, not thread-pool work: a read() on the
/// device blocks, and on two cores blocked pool threads would starve the continuations that send replies. While
/// requests come back to back, a reader polls its own clone of the device for the next one rather than sleep
/// (<see cref="FuseDevicePolling"/>). With the io_uring transport, one queue per CPU carries the requests once INIT is
/// answered; the readers stay for what the kernel still sends through the device (INIT, FORGET, INTERRUPT) and for
/// everything if the queues are refused.
/// </summary>
internal sealed unsafe class FuseSession : IDisposable
{
    private readonly FuseDevice _device;
    private readonly FuseDevicePolling _polling = new();
    private readonly FuseDevice?[] _pollers; // each reader's non-blocking clone of the device, if it could be made
    private readonly FuseOptions _options;
    private readonly FuseWorkspacePool _pool;
    private readonly SplicePipes _pipes;
    private readonly Thread[] _readers;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private Errno _pollingRefused;
    private Errno _stopReason;
    private FuseUringRing[]? _rings;
    private string? _uringRefused;
    private ILogger? _log;

    public FuseSession(int deviceFd, IFileSystem fileSystem, FuseOptions options, int readers, TextWriter? trace = null)
    {
        _device = new FuseDevice(deviceFd);
        _options = options;
        _pool = new FuseWorkspacePool(options.MaxWrite);
        _pipes = new SplicePipes();
        Dispatcher = new FuseDispatcher(fileSystem, _device, options, _pool, trace) { SplicePipes = _pipes };
        if (options.Transport != KernelTransport.Dev)
        {
            Dispatcher.UringReady = PrepareUring;
            Dispatcher.Initialized += StartUring;
        }

        _readers = new Thread[readers];
        _pollers = new FuseDevice?[readers];
        for (var i = 0; i < readers; i++)
        {
            _readers[i] = new Thread(ReadLoop) { IsBackground = true, Name = $"fuse-reader-{i}" };
        }
    }

    public FuseDispatcher Dispatcher { get; }

    /// <summary>True once the io_uring queues carry the requests.</summary>
    public bool UsesUring => _rings is not null && (Dispatcher.Flags & FuseProtocol.OverIoUring) != 0;

    /// <summary>Completes when every reader has stopped: the filesystem was unmounted or the connection failed.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Why the readers stopped: ENODEV for an unmount, ECONNABORTED for an abort, otherwise a failure.</summary>
    public Errno StopReason => _stopReason;

    /// <summary>
    /// Says which transport carries the requests, and why not io_uring when it was wanted and does not; later, a queue
    /// that stopped early. Called once the mount is ready, when the daemon's log reaches its file.
    /// </summary>
    public void ReportTransport(ILogger log)
    {
        _log = log;
        if (UsesUring)
        {
            log.Information(
                "Requests travel through io_uring: {Queues} queues (one per CPU) of {Depth} entries, each served by {Rings} rings and threads",
                _rings!.Length / _options.UringRingsPerQueue, _options.UringQueueDepth, _options.UringRingsPerQueue);
        }
        else if (_options.Transport == KernelTransport.Dev)
        {
            log.Information("Requests travel through /dev/fuse (--transport dev)");
        }
        else if (_options.Transport == KernelTransport.Uring)
        {
            log.Warning("Requests travel through /dev/fuse, not io_uring: {Why}", _uringRefused ?? UringNotOffered());
        }
        else
        {
            log.Information("Requests travel through /dev/fuse: {Why}", _uringRefused ?? UringNotOffered());
        }

        if (!UsesUring && _pollingRefused != Errno.Success)
        {
            log.Information("The /dev/fuse readers sleep in read() between requests, none polls: cloning the device failed ({Error})", _pollingRefused);
        }

        if (!UsesUring && Dispatcher.SplicesReplies)
        {
            ReportSplicing(log);
        }
    }

    // How large a pipe this process may make decides which replies can be spliced; said once, from a pipe made to see.
    private static void ReportSplicing(ILogger log)
    {
        var error = SplicePipe.TryCreate(out var pipe);
        using (pipe)
        {
            if (pipe is null)
            {
                log.Information("Large reads through the page cache are copied to /dev/fuse, not spliced: a pipe of 1 MiB was refused ({Error})", error);
            }
            else if (!pipe.Fits(0, 1 << 20))
            {
                log.Information(
                    "Large reads through the page cache are spliced to /dev/fuse up to 1020 KiB; 1 MiB ones are copied, pipes being limited to " +
                    "1 MiB here (sysctl fs.pipe-max-size=2097152, or CAP_SYS_RESOURCE, lets them be spliced too)");
            }
            else
            {
                log.Information("Large reads through the page cache are spliced to /dev/fuse");
            }
        }
    }

    public void Start()
    {
        _running = _readers.Length;
        for (var i = 0; i < _readers.Length; i++)
        {
            _pollers[i] = _pollingRefused == Errno.Success ? FuseDevice.TryClone(_device, out _pollingRefused) : null;
        }

        Dispatcher.Devices = [_device, .. _pollers.OfType<FuseDevice>()];
        for (var i = 0; i < _readers.Length; i++)
        {
            _readers[i].Start(_pollers[i]);
        }
    }

    public void Dispose()
    {
        foreach (var reader in _readers)
        {
            if (reader.IsAlive)
            {
                reader.Join();
            }
        }

        foreach (var ring in _rings ?? [])
        {
            ring.Stop();
            if (ring.Failure is { } failure)
            {
                _log?.Warning("An io_uring ring stopped early: {Failure}", failure);
            }

            ring.Dispose();
        }

        foreach (var clone in _pollers)
        {
            if (clone is not null)
            {
                Close(clone.Fd);
            }
        }

        Close(_device.Fd);
        _pool.Dispose();
        _pipes.Dispose();
    }

    // Called while INIT is answered, if the kernel offers io_uring: the rings are set up now, so the answer claims
    // io_uring only when every CPU's queue can be registered right after it.
    private bool PrepareUring()
    {
        var perQueue = _options.UringRingsPerQueue;
        var rings = new FuseUringRing[PossibleCpus() * perQueue];
        for (var i = 0; i < rings.Length; i++)
        {
            var ring = FuseUringRing.Create(_device.Fd, (ushort)(i / perQueue), i % perQueue, _options.UringQueueDepth / perQueue, _options.MaxWrite, out var error);
            if (ring is null)
            {
                _uringRefused = $"setting up an io_uring failed ({error}{(error == Errno.EPERM ? ": see /proc/sys/kernel/io_uring_disabled" : "")})";
                foreach (var made in rings.TakeWhile(made => made is not null))
                {
                    made.Dispose();
                }

                return false;
            }

            rings[i] = ring;
        }

        _rings = rings;
        return true;
    }

    // After INIT's answer: the kernel is initialized, so the rings may register their entries.
    private void StartUring()
    {
        if (UsesUring)
        {
            foreach (var ring in _rings!)
            {
                ring.Start(Dispatcher);
            }
        }
    }

    private static string UringNotOffered()
    {
        const string parameter = "/sys/module/fuse/parameters/enable_uring";
        try
        {
            return File.ReadAllText(parameter).Trim() == "Y"
                ? "the kernel did not offer FUSE over io_uring"
                : $"the kernel does not offer FUSE over io_uring while {parameter} is N (as root: echo Y > {parameter}, then mount again)";
        }
        catch (IOException)
        {
            return "this kernel has no FUSE over io_uring (it needs Linux 6.14 or later built with CONFIG_FUSE_IO_URING)";
        }
        catch (UnauthorizedAccessException)
        {
            return "the kernel did not offer FUSE over io_uring";
        }
    }

    // The kernel has one queue per possible CPU ("0-1", "0-3,8-11"), not per online one, and waits for all of them.
    private static int PossibleCpus()
    {
        try
        {
            var text = File.ReadAllText("/sys/devices/system/cpu/possible").Trim();
            return text.Split(',').Max(range => int.Parse(range.Split('-')[^1], System.Globalization.CultureInfo.InvariantCulture)) + 1;
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return Environment.ProcessorCount;
        }
    }

    private void ReadLoop(object? poller)
    {
        var clone = (FuseDevice?)poller;
        var workspace = _pool.Rent();
        var reason = Errno.Success;
        while (true)
        {
            var device = _device;
            var buffer = workspace.Buffer;
            if (clone is not null && !UsesUring && _polling.TryPoll(clone, buffer.Request, buffer.RequestCapacity, out var length))
            {
                device = clone;
            }
            else
            {
                length = Read(_device.Fd, buffer.Request, buffer.RequestCapacity);
                if (length >= 0 && clone is not null)
                {
                    _polling.Woke();
                }
            }

            if (length < 0)
            {
                var error = LastError;
                if (error is Errno.EINTR or Errno.EAGAIN or Errno.ENOENT)
                {
                    continue; // ENOENT: the request was interrupted before we could read it
                }

                reason = error;
                break;
            }

            workspace.Channel = device;
            if (Dispatcher.Dispatch(workspace, (int)length))
            {
                workspace = _pool.Rent(); // the request kept the old one while it waits
            }

            _polling.Done();
        }

        _pool.Return(workspace);
        if (Interlocked.Decrement(ref _running) == 0)
        {
            _stopReason = reason;
            _stopped.TrySetResult();
        }
    }
}
