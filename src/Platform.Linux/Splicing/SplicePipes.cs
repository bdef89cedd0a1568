using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Splicing;

/// <summary>
/// The pipes replies are spliced through to the FUSE device: made on first need and kept for the next reply, at most
/// <paramref name="capacity"/> of them (two descriptors each). When every pipe is out, or pipes cannot be made large
/// (<see cref="SplicePipe.TryCreate"/>), a reply is copied as it would be without them.
/// </summary>
internal sealed class SplicePipes(int deviceFd, int capacity = 8) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Stack<SplicePipe> _idle = new(capacity);
    private int _made;
    private bool _refused;

    /// <summary>The FUSE device the replies go to.</summary>
    public int DeviceFd => deviceFd;

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

    public bool TryRent(out SplicePipe pipe)
    {
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
        if (made is not null)
        {
            pipe = made;
            return true;
        }

        lock (_lock)
        {
            _made--;
            _refused |= error == Errno.EPERM; // it will not change; EMFILE may
        }

        return false;
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
