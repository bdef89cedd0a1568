using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// The O_PATH descriptors of nodes, lent to the requests that need one. A node has at most one descriptor open, in an
/// entry of this table; a request leases it (<see cref="Lease"/>) for the length of its call and gives it back by
/// disposing the lease. A node whose descriptor is not open is reopened from its file handle, outside the lock, and
/// checked to be the same inode. Entries nobody leases are idle, kept in least-recently-used order up to the budget's
/// <see cref="DescriptorBudget.CacheCapacity"/>, and closed from the oldest when there are more, when the passthrough
/// is over its descriptor ceiling, or when an open needs the room (<see cref="MakeRoom"/>).
/// <para>
/// A leased descriptor is never closed under its user: eviction takes idle entries only, and a node forgotten while
/// its descriptor is lent has it closed by the last lease. Open files and directories lease their node's descriptor
/// for as long as they are open, which pins it: an unlinked file, which its handle can no longer reach, keeps working
/// through its node while it is open. Nodes without a handle (see <see cref="PassthroughNode.Handle"/>) and the root
/// are pinned for life (<see cref="Hold"/>).
/// </para>
/// <para>
/// Leasing allocates nothing: a lease is a struct, and the entries are an array of structs linked by index
/// (<see cref="DescriptorEntries"/>). The lock guards the entries, the idle list and each node's
/// <see cref="PassthroughNode.Slot"/> and <see cref="PassthroughNode.Forgotten"/>; it is never held across a system
/// call: descriptors are opened before it is taken and closed after it is let go.
/// </para>
/// </summary>
internal sealed class NodeDescriptors(DescriptorBudget budget) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly DescriptorEntries _entries = new();

    /// <summary>How many descriptors the passthrough may hold, and holds.</summary>
    public DescriptorBudget Budget { get; } = budget;

    /// <summary>Node descriptors open now: idle in the cache, lent, or pinned.</summary>
    public int Open => _entries.Open;

    /// <summary>Node descriptors open and unused, which the cache may close.</summary>
    public int Idle => _entries.Idle;

    /// <summary>
    /// Lends <paramref name="node"/>'s descriptor until the lease is disposed; reopens it from its handle when it is
    /// not open. The lease's descriptor is -1 for the single-file source's made-up root, and with an error: ENOENT
    /// when the inode is gone (its handle is stale, or names another inode now), EMFILE or ENFILE when no descriptor
    /// could be had even after closing an idle one.
    /// </summary>
    public NodeDescriptor Lease(PassthroughNode node, out Errno error)
    {
        error = Errno.Success;
        if (node.IsVirtual)
        {
            return NodeDescriptor.None;
        }

        lock (_lock)
        {
            if (node.Slot >= 0)
            {
                return Take(node.Slot);
            }
        }

        var fd = Reopen(node, out error);
        return fd < 0 ? NodeDescriptor.None : Keep(node, fd, lease: true);
    }

    /// <summary>
    /// Takes over <paramref name="fd"/>, an O_PATH descriptor of <paramref name="node"/>'s inode that a lookup just
    /// opened by name, as the node's cached descriptor, so the requests that follow a lookup find it open. It replaces
    /// an idle one: a descriptor reached by name is connected to the tree, where one reopened from a handle after the
    /// kernel dropped the file's dentries is not (its /proc link reads "/"), and only the path needs that.
    /// </summary>
    public void Offer(PassthroughNode node, int fd) => Keep(node, fd, lease: false);

    /// <summary>
    /// Takes over <paramref name="fd"/> as <paramref name="node"/>'s descriptor for as long as the node lives: for the
    /// root, and for nodes that have no handle to reopen it from.
    /// </summary>
    public void Hold(PassthroughNode node, int fd)
    {
        lock (_lock)
        {
            ref var entry = ref _entries[_entries.Allocate(node, fd)];
            entry.Leases = 1;
            entry.Held = true;
        }
    }

    /// <summary>The kernel has forgotten <paramref name="node"/>: its descriptor is closed now, or by its last lease.</summary>
    public void Forget(PassthroughNode node)
    {
        var close = -1;
        lock (_lock)
        {
            node.Forgotten = true;
            var slot = node.Slot;
            if (slot < 0)
            {
                return;
            }

            node.Slot = -1;
            ref var entry = ref _entries[slot];
            var idle = entry.Leases == 0;
            if (entry.Held)
            {
                entry.Held = false;
                entry.Leases--;
            }

            if (entry.Leases > 0)
            {
                entry.Node = null; // still lent: Release closes it
                return;
            }

            if (idle)
            {
                _entries.Unlink(slot);
            }

            close = entry.Fd;
            _entries.Free(slot);
        }

        Budget.Close(close);
    }

    /// <summary>
    /// Closes idle descriptors, oldest first, until <paramref name="count"/> more fit under the ceiling; false when
    /// they do not even with none idle left. Opens ask before they open anything.
    /// </summary>
    public bool MakeRoom(int count)
    {
        while (!Budget.Fits(count))
        {
            if (!CloseOldest())
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Closes the least recently used idle descriptor, after an open failed with EMFILE or ENFILE; false when none is idle.</summary>
    public bool CloseOldest()
    {
        int close;
        lock (_lock)
        {
            if (_entries.Oldest < 0)
            {
                return false;
            }

            close = Evict(_entries.Oldest);
        }

        Budget.Close(close);
        return true;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var fd in _entries.TakeAllDescriptors())
            {
                Budget.Close(fd);
            }
        }
    }

    /// <summary>Gives a lease back (<see cref="NodeDescriptor.Dispose"/>).</summary>
    internal void Release(int slot, int fd)
    {
        if (slot < 0)
        {
            Budget.Close(fd); // lent for one call only: its node was forgotten meanwhile
            return;
        }

        int close;
        lock (_lock)
        {
            ref var entry = ref _entries[slot];
            if (--entry.Leases > 0)
            {
                return;
            }

            if (entry.Node is null)
            {
                close = entry.Fd; // forgotten while lent
                _entries.Free(slot);
            }
            else
            {
                _entries.AddNewest(slot);
                close = Trim();
            }
        }

        if (close >= 0)
        {
            Budget.Close(close);
        }
    }

    // An O_PATH descriptor of the node's inode from its handle, checked to be that inode, or -1 and the error.
    private int Reopen(PassthroughNode node, out Errno error)
    {
        if (node.Handle is not { } handle)
        {
            error = Errno.ENOENT; // a node without a handle had its descriptor for life, which means it is forgotten
            return -1;
        }

        var fd = FileHandle.Open(node.MountFd, handle);
        error = fd < 0 ? LastError : Errno.Success;
        if (error is Errno.EMFILE or Errno.ENFILE && CloseOldest())
        {
            fd = FileHandle.Open(node.MountFd, handle);
            error = fd < 0 ? LastError : Errno.Success;
        }

        if (fd < 0)
        {
            error = error == Errno.ESTALE ? Errno.ENOENT : error; // the inode is gone
            return -1;
        }

        Budget.Count(1);
        if (NodeStat.Of(fd, out StatxBuffer stx) != Errno.Success || NodeStat.Device(stx) != node.Device || stx.Ino != node.Inode)
        {
            Budget.Close(fd);
            error = Errno.ENOENT;
            return -1;
        }

        return fd;
    }

    // Makes fd, just opened for node, its descriptor, or closes it when the node has one; lends it when asked.
    private NodeDescriptor Keep(PassthroughNode node, int fd, bool lease)
    {
        var close = -1;
        var lent = NodeDescriptor.None;
        lock (_lock)
        {
            if (node.Forgotten)
            {
                // Forgotten since the request found it: the request still gets a descriptor, for its call only.
                lent = lease ? new NodeDescriptor(this, -1, fd) : NodeDescriptor.None;
                close = lease ? -1 : fd;
            }
            else if (node.Slot is var slot and >= 0)
            {
                ref var entry = ref _entries[slot];
                if (!lease && entry.Leases == 0)
                {
                    (close, entry.Fd) = (entry.Fd, fd);
                    _entries.Unlink(slot);
                    _entries.AddNewest(slot);
                }
                else
                {
                    close = fd; // another request opened one meanwhile, or it is in use
                }

                lent = lease ? Take(slot) : NodeDescriptor.None;
            }
            else
            {
                slot = _entries.Allocate(node, fd);
                if (lease)
                {
                    _entries[slot].Leases = 1;
                    lent = new NodeDescriptor(this, slot, fd);
                }
                else
                {
                    _entries.AddNewest(slot);
                    close = Trim();
                }
            }
        }

        if (close >= 0)
        {
            Budget.Close(close);
        }

        return lent;
    }

    private NodeDescriptor Take(int slot)
    {
        ref var entry = ref _entries[slot];
        if (entry.Leases++ == 0)
        {
            _entries.Unlink(slot);
        }

        return new NodeDescriptor(this, slot, entry.Fd);
    }

    // After an entry became idle: the oldest idle descriptor to close when the cache is over its size or the
    // passthrough over its ceiling, else -1.
    private int Trim() => _entries.Oldest >= 0 && (_entries.Idle > Budget.CacheCapacity || Budget.IsOver) ? Evict(_entries.Oldest) : -1;

    // Takes an idle entry out of the cache; returns its descriptor, to close outside the lock.
    private int Evict(int slot)
    {
        var fd = _entries[slot].Fd;
        _entries[slot].Node!.Slot = -1;
        _entries.Unlink(slot);
        _entries.Free(slot);
        return fd;
    }
}
