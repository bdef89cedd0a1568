namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// One open of a backing directory, read with getdents64. It pins its node's descriptor (<see cref="Node"/>) until
/// it is closed, as an open file does.
/// </summary>
internal sealed class PassthroughDirectory(NodeDescriptor node, int fd, DescriptorBudget budget)
{
    /// <summary>The directory node's O_PATH descriptor, lent for as long as the directory is open.</summary>
    public NodeDescriptor Node { get; } = node;

    /// <summary>An O_RDONLY|O_DIRECTORY descriptor, or -1 for the single-file source's virtual directory.</summary>
    public int Fd { get; } = fd;

    /// <summary>Serializes readdir calls on this handle: they share the descriptor's position.</summary>
    public Lock Lock { get; } = new();

    public byte[] Buffer { get; } = new byte[32 * 1024];

    public void Close()
    {
        if (Fd >= 0)
        {
            budget.Close(Fd);
        }

        Node.Dispose();
    }
}
