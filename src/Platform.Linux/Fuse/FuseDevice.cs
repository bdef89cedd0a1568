using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// One open /dev/fuse file of a connection: the one the mount was made with, or a clone of it. All of them take
/// requests from the connection's one queue, but the kernel matches a reply only on the file that delivered its
/// request, so a request's replies go back through its device.
/// </summary>
internal sealed unsafe class FuseDevice(int fd) : IFuseChannel
{
    private const uint FUSE_DEV_IOC_CLONE = 0x8004E500; // _IOR(229, 0, uint32_t)

    public int Fd => fd;

    /// <summary>
    /// A second file on <paramref name="session"/>'s connection, opened non-blocking: a read of it returns EAGAIN at
    /// once when no request waits, so that a reader can poll for the next request without sleeping in the kernel.
    /// </summary>
    public static FuseDevice? TryClone(FuseDevice session, out Errno error)
    {
        var clone = FuseMount.OpenDevice(O_NONBLOCK);
        if (clone < 0)
        {
            error = LastError;
            return null;
        }

        var sessionFd = (uint)session.Fd;
        if (Ioctl(clone, FUSE_DEV_IOC_CLONE, &sessionFd) < 0)
        {
            error = LastError;
            Close(clone);
            return null;
        }

        error = Errno.Success;
        return new FuseDevice(clone);
    }

    public Errno Send(ReadOnlySpan<byte> reply)
    {
        fixed (byte* bytes = reply)
        {
            while (true)
            {
                if (Write(fd, bytes, reply.Length) >= 0)
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
}
