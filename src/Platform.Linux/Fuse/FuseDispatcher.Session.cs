using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse.Kernel;
using ThrottleFs.Platform.Linux.Splicing;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// The session's own requests: INIT (what we ask of the kernel), DESTROY, and INTERRUPT of a request that
/// waits for its throttle.
/// </summary>
internal sealed partial class FuseDispatcher
{
    // AUTO_INVAL_DATA: with --page-cache, a file changed behind the mount is read afresh once its new size or time is
    // seen, not served stale from the cache.
    private const ulong WantedFlags =
        FuseProtocol.AsyncRead | FuseProtocol.AtomicOTrunc | FuseProtocol.BigWrites | FuseProtocol.AutoInvalData |
        FuseProtocol.DoReaddirplus | FuseProtocol.ReaddirplusAuto | FuseProtocol.AsyncDio | FuseProtocol.ParallelDirops |
        FuseProtocol.AbortError | FuseProtocol.MaxPages | FuseProtocol.CacheSymlinks | FuseProtocol.HandleKillprivV2 |
        FuseProtocol.InitExt | FuseProtocol.DirectIoAllowMmap | FuseProtocol.SpliceWrite;

    private bool Init(in FuseRequest request)
    {
        // Kernels before 7.36 send only the first 16 bytes; the rest stays zero.
        var input = new FuseInitIn();
        request.Input[..Math.Min(request.Input.Length, Marshal.SizeOf<FuseInitIn>())]
            .CopyTo(MemoryMarshal.AsBytes(new Span<FuseInitIn>(ref input)));

        if (input.Major > FuseProtocol.KernelVersion)
        {
            // A newer major: answer with ours and the kernel sends INIT again.
            Span<byte> reply = stackalloc byte[FuseProtocol.OutHeaderSize + 8];
            WriteHeader(reply, request.Unique, Errno.Success, 8);
            MemoryMarshal.Write(reply[FuseProtocol.OutHeaderSize..], FuseProtocol.KernelVersion);
            Send(reply, request.ReplyTo, Errno.Success, 8);
            return false;
        }

        if (input.Major < FuseProtocol.KernelVersion || input.Minor < 31)
        {
            _trace?.Note($"kernel protocol {input.Major}.{input.Minor} is too old; 7.31 or later is needed");
            ReplyStatus(request.ReplyTo, Errno.EPROTO);
            return false;
        }

        var offered = input.Flags | ((input.Flags & FuseProtocol.InitExt) != 0 ? (ulong)input.Flags2 << 32 : 0);
        Flags = offered & WantedFlags;
        if ((offered & FuseProtocol.OverIoUring) != 0 && UringReady?.Invoke() == true)
        {
            Flags |= FuseProtocol.OverIoUring;
        }

        // READ replies travel through pipes only on the device: an io_uring queue answers from its entry's buffer.
        _splicePipes = (Flags & (FuseProtocol.SpliceWrite | FuseProtocol.OverIoUring)) == FuseProtocol.SpliceWrite ? SplicePipes : null;

        Minor = Math.Min(input.Minor, FuseProtocol.KernelMinorVersion);
        var output = new FuseInitOut
        {
            Major = FuseProtocol.KernelVersion,
            Minor = Minor,
            MaxReadahead = input.MaxReadahead,
            Flags = (uint)Flags,
            Flags2 = (uint)(Flags >> 32),
            MaxBackground = _options.MaxBackground,
            CongestionThreshold = (ushort)(_options.MaxBackground * 3 / 4),
            MaxWrite = (uint)_options.MaxWrite,
            TimeGran = 1,
            MaxPages = (ushort)(_options.MaxWrite / FuseBuffer.PageSize), // always filled when MAX_PAGES is set
        };
        Reply(request.ReplyTo, output);
        _initialized = true;
        Initialized?.Invoke();
        return false;
    }

    private bool Destroy(in FuseRequest request)
    {
        ReplyStatus(request.ReplyTo, Errno.Success);
        return false;
    }

    private bool Interrupt(in FuseRequest request)
    {
        var target = request.Read<FuseInterruptIn>().Unique;
        bool found;
        lock (_inFlightLock)
        {
            // Cancelled under the lock: a request that completes removes itself under it before its workspace is reset
            // for the next, so this cannot reach a request the interrupt was not for. Its callbacks run on the pool,
            // not here under the lock: they complete the request, which takes the lock.
            if (found = _inFlight.TryGetValue(target, out var waiting))
            {
                _ = waiting!.Cancellation.CancelAsync(); // a request still waiting for its throttle ends with EINTR
            }
        }

        if (!found)
        {
            // Not waiting here (yet, or any more): EAGAIN makes the kernel resend the interrupt while the request is
            // still pending, and is ignored once it has been answered. Only the device that delivered the request takes
            // it, and any reader may have read the request from its own clone: each device is tried until one does
            // not answer ENOENT.
            Span<byte> reply = stackalloc byte[FuseProtocol.OutHeaderSize];
            WriteHeader(reply, request.Unique, Errno.EAGAIN, 0);
            _trace?.Reply(request.Unique, Errno.EAGAIN, 0);
            foreach (var device in Devices)
            {
                if (device.Send(reply) != Errno.ENOENT)
                {
                    break;
                }
            }
        }

        return false;
    }
}
