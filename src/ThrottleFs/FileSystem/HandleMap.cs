namespace ThrottleFs.FileSystem;

/// <summary>
/// Values by handle, for a filesystem's open files or a layer's state per handle of the filesystem under it. Handles
/// are small integers (<see cref="FileSystemIds.FirstLayerHandle"/>), so this is an array. Reads, on every read and
/// write, take no lock: the array is only replaced by a larger copy, and a slot is set once at open and cleared at
/// release.
/// </summary>
public sealed class HandleMap<T>
    where T : class
{
    private readonly Lock _lock = new();
    private T?[] _slots = new T?[64];

    /// <summary>The value at <paramref name="handle"/>, or null.</summary>
    public T? Get(ulong handle)
    {
        var slots = Volatile.Read(ref _slots);
        return handle < (ulong)slots.Length ? Volatile.Read(ref slots[handle]) : null;
    }

    /// <summary>Puts <paramref name="value"/> at <paramref name="handle"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The handle is not a filesystem's (<see cref="FileSystemIds.IsFileSystemHandle"/>).</exception>
    public void Set(ulong handle, T value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(handle, FileSystemIds.FirstLayerHandle);
        lock (_lock)
        {
            if (handle >= (ulong)_slots.Length)
            {
                var larger = new T?[Math.Max(_slots.Length * 2, (int)handle + 1)];
                _slots.CopyTo(larger, 0);
                Volatile.Write(ref _slots, larger);
            }

            Volatile.Write(ref _slots[handle], value);
        }
    }

    /// <summary>Takes the value at <paramref name="handle"/> out; null when there was none.</summary>
    public T? Remove(ulong handle)
    {
        lock (_lock)
        {
            if (handle >= (ulong)_slots.Length)
            {
                return null;
            }

            var value = _slots[handle];
            Volatile.Write(ref _slots[handle], null);
            return value;
        }
    }

    /// <summary>Every value present, for shutdown.</summary>
    public List<T> Snapshot() => Volatile.Read(ref _slots).OfType<T>().ToList();
}
