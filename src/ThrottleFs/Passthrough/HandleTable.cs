namespace ThrottleFs.Passthrough;

/// <summary>
/// Open handles by small integer id. Lookups, on every read and write, take no lock: the slot array is only ever
/// replaced by a larger copy, and a slot is written once when the handle opens and cleared when it is released.
/// </summary>
internal sealed class HandleTable<T>
    where T : class
{
    private readonly Lock _lock = new();
    private readonly Stack<int> _free = new();
    private T?[] _slots = new T?[64];
    private int _next = 1; // 0 is never handed out, so a zeroed handle is always an error

    public ulong Add(T item)
    {
        lock (_lock)
        {
            var id = _free.Count > 0 ? _free.Pop() : _next++;
            if (id >= _slots.Length)
            {
                var larger = new T?[_slots.Length * 2];
                _slots.CopyTo(larger, 0);
                Volatile.Write(ref _slots, larger);
            }

            Volatile.Write(ref _slots[id], item);
            return (ulong)id;
        }
    }

    public T? Get(ulong id)
    {
        var slots = Volatile.Read(ref _slots);
        return id < (ulong)slots.Length ? Volatile.Read(ref slots[id]) : null;
    }

    public T? Remove(ulong id)
    {
        lock (_lock)
        {
            if (id == 0 || id >= (ulong)_slots.Length || _slots[id] is not { } item)
            {
                return null;
            }

            Volatile.Write(ref _slots[id], null);
            _free.Push((int)id);
            return item;
        }
    }

    /// <summary>Every open handle, for shutdown.</summary>
    public List<T> Snapshot()
    {
        lock (_lock)
        {
            return _slots.OfType<T>().ToList();
        }
    }
}
