using ThrottleFs.FileSystem;

namespace ThrottleFs.Passthrough;

/// <summary>
/// Open handles by small integer id: a <see cref="HandleMap{T}"/> that also hands out the ids, reusing released ones
/// so the map stays small. Lookups, on every read and write, take no lock.
/// </summary>
internal sealed class HandleTable<T>
    where T : class
{
    private readonly Lock _lock = new();
    private readonly Stack<ulong> _free = new();
    private readonly HandleMap<T> _slots = new();
    private ulong _next = 1; // 0 is never handed out, so a zeroed handle is always an error

    public ulong Add(T item)
    {
        ulong id;
        lock (_lock)
        {
            id = _free.Count > 0 ? _free.Pop() : _next++;
        }

        _slots.Set(id, item);
        return id;
    }

    public T? Get(ulong id) => _slots.Get(id);

    public T? Remove(ulong id)
    {
        var item = _slots.Remove(id);
        if (item is not null)
        {
            lock (_lock)
            {
                _free.Push(id);
            }
        }

        return item;
    }

    public List<T> Snapshot() => _slots.Snapshot();
}
