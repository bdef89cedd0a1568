namespace ThrottleFs.FileSystem;

/// <summary>
/// Values by handle id, where ids are small integers (see <see cref="Passthrough.HandleTable{T}"/>). Reads take no lock: the slot
/// array is only replaced by a larger copy, and a slot is set once at open and cleared at release.
/// </summary>
internal sealed class HandleMap<T>
    where T : class
{
    private readonly Lock _lock = new();
    private T?[] _slots = new T?[64];

    public T? Get(ulong id)
    {
        var slots = Volatile.Read(ref _slots);
        return id < (ulong)slots.Length ? Volatile.Read(ref slots[id]) : null;
    }

    public void Set(ulong id, T value)
    {
        lock (_lock)
        {
            if (id >= (ulong)_slots.Length)
            {
                var larger = new T?[Math.Max(_slots.Length * 2, (int)id + 1)];
                _slots.CopyTo(larger, 0);
                Volatile.Write(ref _slots, larger);
            }

            Volatile.Write(ref _slots[id], value);
        }
    }

    public T? Remove(ulong id)
    {
        lock (_lock)
        {
            if (id >= (ulong)_slots.Length)
            {
                return null;
            }

            var value = _slots[id];
            Volatile.Write(ref _slots[id], null);
            return value;
        }
    }

    /// <summary>Every value present, for shutdown.</summary>
    public List<T> Snapshot() => Volatile.Read(ref _slots).OfType<T>().ToList();
}
