namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>One open of a backing directory, read with getdents64.</summary>
internal sealed class PassthroughDirectory(PassthroughNode node, int fd)
{
    public PassthroughNode Node { get; } = node;

    /// <summary>An O_RDONLY|O_DIRECTORY descriptor, or -1 for the single-file source's virtual directory.</summary>
    public int Fd { get; } = fd;

    /// <summary>Serializes readdir calls on this handle: they share the descriptor's position.</summary>
    public Lock Lock { get; } = new();

    public byte[] Buffer { get; } = new byte[32 * 1024];
}
