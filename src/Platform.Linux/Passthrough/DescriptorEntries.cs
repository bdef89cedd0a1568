namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// The entries of <see cref="NodeDescriptors"/>, one per open node descriptor: an array of structs linked by index
/// into a list of free entries and the list of idle ones, least recently used first, so that taking, giving back,
/// touching and evicting an entry are a few stores, with no allocation and no search. The array grows only when more
/// descriptors are open at once than ever before. Not thread-safe: <see cref="NodeDescriptors"/> holds its lock.
/// </summary>
internal sealed class DescriptorEntries
{
    private Entry[] _entries = new Entry[64];
    private int _used;      // entries ever taken; those from here on have never been used
    private int _free = -1; // entries given back, linked through Newer
    private int _newest = -1;

    /// <summary>The least recently used idle entry, -1 when none is idle.</summary>
    public int Oldest { get; private set; } = -1;

    /// <summary>Entries in the idle list.</summary>
    public int Idle { get; private set; }

    /// <summary>Entries in use: idle, lent, or held.</summary>
    public int Open { get; private set; }

    public ref Entry this[int slot] => ref _entries[slot];

    /// <summary>Takes a free entry for <paramref name="node"/>'s descriptor, not lent and not idle; sets the node's slot.</summary>
    public int Allocate(PassthroughNode node, int fd)
    {
        int slot;
        if (_free >= 0)
        {
            slot = _free;
            _free = _entries[slot].Newer;
        }
        else
        {
            if (_used == _entries.Length)
            {
                Array.Resize(ref _entries, _entries.Length * 2);
            }

            slot = _used++;
        }

        _entries[slot] = new Entry { Node = node, Fd = fd, Older = -1, Newer = -1 };
        node.Slot = slot;
        Open++;
        return slot;
    }

    /// <summary>Gives an entry back; it must not be in the idle list.</summary>
    public void Free(int slot)
    {
        _entries[slot] = new Entry { Fd = -1, Older = -1, Newer = _free };
        _free = slot;
        Open--;
    }

    /// <summary>Puts an entry at the newest end of the idle list.</summary>
    public void AddNewest(int slot)
    {
        ref var entry = ref _entries[slot];
        entry.Older = _newest;
        entry.Newer = -1;
        if (_newest >= 0)
        {
            _entries[_newest].Newer = slot;
        }
        else
        {
            Oldest = slot;
        }

        _newest = slot;
        Idle++;
    }

    /// <summary>Takes an entry out of the idle list.</summary>
    public void Unlink(int slot)
    {
        ref var entry = ref _entries[slot];
        if (entry.Older >= 0)
        {
            _entries[entry.Older].Newer = entry.Newer;
        }
        else
        {
            Oldest = entry.Newer;
        }

        if (entry.Newer >= 0)
        {
            _entries[entry.Newer].Older = entry.Older;
        }
        else
        {
            _newest = entry.Older;
        }

        entry.Older = entry.Newer = -1;
        Idle--;
    }

    /// <summary>Takes the descriptor out of every entry that has one, for the owner to close when it is disposed.</summary>
    public List<int> TakeAllDescriptors()
    {
        var fds = new List<int>();
        for (var slot = 0; slot < _used; slot++)
        {
            if (_entries[slot].Fd >= 0)
            {
                fds.Add(_entries[slot].Fd);
                _entries[slot].Fd = -1;
            }
        }

        return fds;
    }

    // One node's descriptor. Idle entries (no leases) are in the idle list through Older and Newer; free entries have
    // Fd -1 and are linked through Newer.
    public struct Entry
    {
        public PassthroughNode? Node; // null when free, or forgotten while lent
        public int Fd;
        public int Leases;
        public bool Held; // for the node's life (Hold): one of the leases, given back by Forget
        public int Older;
        public int Newer;
    }
}
