namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// A node's descriptor lent for one call (or, by an open file or directory, for as long as it is open); disposing
/// gives it back. A struct, so leasing allocates nothing; dispose it once.
/// </summary>
internal readonly struct NodeDescriptor(NodeDescriptors? owner, int slot, int fd) : IDisposable
{
    /// <summary>No descriptor: a failed lease, or the single-file source's made-up root.</summary>
    public static NodeDescriptor None => new(null, -1, -1);

    /// <summary>The O_PATH descriptor; -1 for none.</summary>
    public int Fd { get; } = fd;

    public void Dispose() => owner?.Release(slot, Fd);
}
