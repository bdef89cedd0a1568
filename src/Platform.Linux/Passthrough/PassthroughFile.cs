namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// One open of a backing file. It pins its node's descriptor (<see cref="Node"/>) until it is closed, so requests on
/// the node find it open: an unlinked file, which its handle no longer reaches, stays usable through its node.
/// </summary>
internal sealed class PassthroughFile
{
    private readonly DescriptorBudget _budget;
    private int _bufferedFd = -1;

    public PassthroughFile(int fd, int flags, NodeDescriptor node, PassthroughNode owner, DescriptorBudget budget, ReadAheadBuffers readAheadBuffers)
    {
        Fd = fd;
        Flags = flags;
        Node = node;
        Owner = owner;
        _budget = budget;
        if (IsDirect && (flags & Interop.Sys.O_ACCMODE) != Interop.Sys.O_WRONLY)
        {
            ReadAhead = new ReadAhead(this, owner, readAheadBuffers);
        }
    }

    public int Fd { get; }

    /// <summary>The open(2) flags the backing file was opened with.</summary>
    public int Flags { get; }

    /// <summary>The node's O_PATH descriptor, lent for as long as the file is open.</summary>
    public NodeDescriptor Node { get; }

    /// <summary>The backing inode's node (whose data version writes move on).</summary>
    public PassthroughNode Owner { get; }

    /// <summary>Reads of the next stretch ahead of a sequential reader; only for O_DIRECT files that can be read.</summary>
    public ReadAhead? ReadAhead { get; }

    public bool IsDirect => (Flags & Interop.Sys.O_DIRECT) != 0;

    /// <summary>
    /// A second descriptor without O_DIRECT, opened on first need, for requests whose offset or length is not
    /// aligned to the backing device's block size (FUSE accepts those; the backing O_DIRECT descriptor does not).
    /// </summary>
    public unsafe int BufferedFd()
    {
        var fd = Volatile.Read(ref _bufferedFd);
        if (fd >= 0)
        {
            return fd;
        }

        Span<byte> path = stackalloc byte[ProcPath.MaxLength];
        ProcPath.Format(Fd, path);
        int opened;
        fixed (byte* p = path)
        {
            opened = Interop.Sys.Open(p, (Flags & ~(Interop.Sys.O_DIRECT | Interop.Sys.O_TRUNC | Interop.Sys.O_CREAT | Interop.Sys.O_EXCL)) | Interop.Sys.O_CLOEXEC, 0);
        }

        if (opened < 0)
        {
            return -1;
        }

        _budget.Count(1);
        var previous = Interlocked.CompareExchange(ref _bufferedFd, opened, -1);
        if (previous >= 0)
        {
            _budget.Close(opened);
            return previous;
        }

        return opened;
    }

    public void Close()
    {
        ReadAhead?.Close(); // before the descriptor goes: a read ahead may still be reading it
        _budget.Close(Fd);
        if (_bufferedFd >= 0)
        {
            _budget.Close(_bufferedFd);
        }

        Node.Dispose();
    }
}
