using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// Owns the /dev/fuse descriptor: reader threads take requests off it, the dispatcher handles them, and replies go
/// back from whichever thread finishes a request. Readers are dedicated threads, not thread-pool work: a read() on the
/// device blocks, and on two cores blocked pool threads would starve the continuations that send replies.
/// </summary>
internal sealed unsafe class FuseSession : IFuseChannel, IDisposable
{
    private readonly int _fd;
    private readonly FuseWorkspacePool _pool;
    private readonly Thread[] _readers;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private Errno _stopReason;

    public FuseSession(int deviceFd, IFileSystem fileSystem, FuseOptions options, int readers, TextWriter? trace = null)
    {
        _fd = deviceFd;
        _pool = new FuseWorkspacePool(options.MaxWrite);
        Dispatcher = new FuseDispatcher(fileSystem, this, options, _pool, trace);
        _readers = new Thread[readers];
        for (var i = 0; i < readers; i++)
        {
            _readers[i] = new Thread(ReadLoop) { IsBackground = true, Name = $"fuse-reader-{i}" };
        }
    }

    public FuseDispatcher Dispatcher { get; }

    /// <summary>Completes when every reader has stopped: the filesystem was unmounted or the connection failed.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Why the readers stopped: ENODEV for an unmount, ECONNABORTED for an abort, otherwise a failure.</summary>
    public Errno StopReason => _stopReason;

    public void Start()
    {
        _running = _readers.Length;
        foreach (var reader in _readers)
        {
            reader.Start();
        }
    }

    public Errno Send(ReadOnlySpan<byte> reply)
    {
        fixed (byte* bytes = reply)
        {
            while (true)
            {
                if (Write(_fd, bytes, reply.Length) >= 0)
                {
                    return Errno.Success;
                }

                var error = LastError;
                if (error != Errno.EINTR)
                {
                    // ENOENT: the request was interrupted and answered away; ENODEV: unmounted meanwhile. Neither is ours to fix.
                    return error;
                }
            }
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

        Close(_fd);
        _pool.Dispose();
    }

    private void ReadLoop()
    {
        var workspace = _pool.Rent();
        var reason = Errno.Success;
        while (true)
        {
            var length = Read(_fd, workspace.Buffer.Request, workspace.Buffer.RequestCapacity);
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

            if (Dispatcher.Dispatch(workspace, (int)length))
            {
                workspace = _pool.Rent(); // the request kept the old one while it waits
            }
        }

        _pool.Return(workspace);
        if (Interlocked.Decrement(ref _running) == 0)
        {
            _stopReason = reason;
            _stopped.TrySetResult();
        }
    }
}
