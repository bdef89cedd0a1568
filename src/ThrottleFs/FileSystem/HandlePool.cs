namespace ThrottleFs.FileSystem;

/// <summary>
/// Hands out a filesystem's handles: small integers, released ones first, so the arrays kept by handle
/// (<see cref="HandleMap{T}"/>) stay as small as the number of files open at once. 0 is never handed out, so a
/// zeroed handle is always an error.
/// </summary>
public sealed class HandlePool
{
    private readonly Lock _lock = new();
    private readonly Stack<ulong> _free = new();
    private ulong _next = 1;

    /// <summary>A handle not in use; false when all of <see cref="FileSystemIds.FirstLayerHandle"/> are.</summary>
    public bool TryRent(out ulong handle)
    {
        lock (_lock)
        {
            if (_free.TryPop(out handle))
            {
                return true;
            }

            handle = _next;
            if (handle >= FileSystemIds.FirstLayerHandle)
            {
                return false;
            }

            _next++;
            return true;
        }
    }

    /// <summary>Gives <paramref name="handle"/> back once nothing refers to it any more.</summary>
    public void Return(ulong handle)
    {
        lock (_lock)
        {
            _free.Push(handle);
        }
    }
}
