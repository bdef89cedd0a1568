using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Splicing;

/// <summary>
/// The pipes replies are spliced through to the FUSE device: made on first need and kept for the next reply, at most
/// <paramref name="capacity"/> of them (two descriptors each). When every pipe is out, or pipes cannot be made large
/// (<see cref="SplicePipe.TryCreate"/>), a reply is copied as it would be without them.
/// </summary>
internal sealed class SplicePipes(int capacity = 8) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Stack<SplicePipe> _idle = new(capacity);
    private int _made;
    private int _slots; // of the smallest pipe made, so a reply that fits it fits any; 0 before the first
    private bool _refused;

    /// <summary>Pipes made and not discarded: idle or carrying a reply.</summary>
    public int Made
    {
        get
        {
            lock (_lock)
            {
                return _made;
            }
        }
    }

    /// <summary>
    /// A pipe that holds a reply of <paramref name="length"/> bytes read from file offset <paramref name="offset"/>;
    /// false when none is free or the pipes are too small for it (known without a lock's worth of work once one is made).
    /// </summary>
    public bool TryRent(long offset, int length, out SplicePipe pipe)
    {
        pipe = null!;
        var slots = Volatile.Read(ref _slots);
        if (slots > 0 && !SplicePipe.Fits(slots, offset, length))
        {
            return false;
        }

        lock (_lock)
        {
            if (_idle.TryPop(out pipe!))
            {
                return true;
            }

            if (_refused || _made == capacity)
            {
                return false;
            }

            _made++;
        }

        // Made outside the lock: three system calls, once per pipe for the life of the mount.
        var error = SplicePipe.TryCreate(out var made);
        lock (_lock)
        {
            if (made is null)
            {
                _made--;
                _refused |= error == Errno.EPERM; // it will not change; EMFILE may
                return false;
            }

            _slots = _slots == 0 ? made.Slots : Math.Min(_slots, made.Slots);
            if (made.Fits(offset, length))
            {
                pipe = made;
                return true;
            }

            _idle.Push(made); // the first pipe, and too small for this reply: kept for smaller ones
            return false;
        }
    }

    /// <summary>Takes back a pipe that is empty.</summary>
    public void Return(SplicePipe pipe)
    {
        lock (_lock)
        {
            _idle.Push(pipe);
        }
    }

    /// <summary>Closes a pipe whose contents are unknown (a splice to the device failed part way).</summary>
    public void Discard(SplicePipe pipe)
    {
        pipe.Dispose();
        lock (_lock)
        {
            _made--;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            while (_idle.TryPop(out var pipe))
            {
                pipe.Dispose();
            }
        }
    }
}
