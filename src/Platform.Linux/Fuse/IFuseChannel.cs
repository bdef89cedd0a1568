using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>Where replies go: the device in production, a recorder in protocol tests.</summary>
internal interface IFuseChannel
{
    /// <summary>
    /// Sends one complete reply (header included). Returns <see cref="Errno.Success"/>, or ENOENT when the kernel no
    /// longer waits for it (the request was interrupted away), which is not an error.
    /// </summary>
    Errno Send(ReadOnlySpan<byte> reply);
}
