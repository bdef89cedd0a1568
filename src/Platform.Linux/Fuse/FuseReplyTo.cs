namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// Where a request's reply goes: the channel it came from and its unique id. The kernel matches a reply to its request
/// only on the queue that delivered it (a cloned device, an io_uring entry), so the two travel together.
/// </summary>
internal readonly record struct FuseReplyTo(IFuseChannel Channel, ulong Unique);
