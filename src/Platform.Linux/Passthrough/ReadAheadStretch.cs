using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// One stretch of a file read ahead (<see cref="ReadAhead"/>) on a pool thread into a buffer lent by the mount's
/// <see cref="ReadAheadBuffers"/>. Its owner starts it, waits for it and releases it, or abandons it, leaving a read still
/// running to give its buffer back itself. Reused for every stretch its reader reads ahead: nothing is allocated per read.
/// </summary>
internal sealed unsafe class ReadAheadStretch(PassthroughFile file, ReadAheadBuffers buffers) : IThreadPoolWorkItem
{
    private const int Idle = 0, Reading = 1, Ready = 2, Abandoned = 3;

    private readonly ManualResetEventSlim _done = new(initialState: true);
    private int _state;
    private long _result;

    /// <summary>Free to start (an abandoned one is not, until its read ends).</summary>
    public bool IsIdle => Volatile.Read(ref _state) == Idle;

    /// <summary>Being read for its owner, or read and waiting for it.</summary>
    public bool IsHeld => Volatile.Read(ref _state) is Reading or Ready;

    public long Offset { get; private set; }

    public int Length { get; private set; }

    /// <summary>The node's data version when the read started.</summary>
    public long Version { get; private set; }

    /// <summary>When the read started (the clock's timestamp: <see cref="ReadAheadBuffers.Clock"/>).</summary>
    public long Started { get; private set; }

    /// <summary>The data read, valid between <see cref="Wait"/> and <see cref="Release"/>.</summary>
    public byte* Data { get; private set; }

    /// <summary>Starts reading <paramref name="length"/> bytes at <paramref name="offset"/>; false when no buffer is free.</summary>
    public bool Start(long offset, int length, long version)
    {
        if (buffers.Rent() is not { } buffer)
        {
            return false;
        }

        Data = (byte*)buffer;
        (Offset, Length, Version, Started) = (offset, length, version, buffers.Clock.GetTimestamp());
        _done.Reset();
        _state = Reading;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return true;
    }

    /// <summary>Waits for the read: the bytes read (fewer at the end of the file), or -1 if it failed.</summary>
    public long Wait()
    {
        _done.Wait();
        return _result;
    }

    /// <summary>Gives the buffer back once the owner is done with the data.</summary>
    public void Release()
    {
        buffers.Return((IntPtr)Data);
        Data = null;
        Volatile.Write(ref _state, Idle);
    }

    /// <summary>The owner no longer wants it: released now if read, else by the pool thread when its read ends.</summary>
    public void Abandon()
    {
        if (Interlocked.CompareExchange(ref _state, Abandoned, Reading) == Ready)
        {
            Release();
        }
    }

    /// <summary>Waits for a read still running and gives its buffer back: the file is closing.</summary>
    public void Close()
    {
        _done.Wait();
        if (Volatile.Read(ref _state) == Ready)
        {
            Release();
        }

        // _done is not disposed: the pool thread may still be inside its Set, and it holds no kernel handle.
    }

    // The pool thread: reads the stretch, until it is whole or the file ends.
    void IThreadPoolWorkItem.Execute()
    {
        long total = 0;
        while (total < Length)
        {
            var done = PRead(file.Fd, Data + total, Length - (nint)total, Offset + total);
            if (done > 0)
            {
                total += done;
            }
            else if (done == 0 || LastError != Errno.EINTR)
            {
                total = done == 0 ? total : -1;
                break;
            }
        }

        _result = total;
        var abandoned = Interlocked.CompareExchange(ref _state, Ready, Reading) == Abandoned;
        _done.Set(); // first: once released, the owner may start this stretch again, which resets _done
        if (abandoned)
        {
            Release(); // the owner went elsewhere meanwhile
        }
    }
}
