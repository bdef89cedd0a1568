using System.Diagnostics;
using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// Reads the next stretch of a file read sequentially in large O_DIRECT requests while the current one travels back
/// to its caller. Without it the disk idles for every round trip (the reply's copy into the caller, its next request):
/// at queue depth 1 that is a third of the time of a 1 MiB read from a disk here. The kernel's own read-ahead does this
/// for buffered files, but an O_DIRECT caller's reads reach the disk only through ours.
/// <para>
/// Coherent with everything done through the mount: a write, truncate, fallocate or copy into the file, through any
/// handle, moves its node's <see cref="PassthroughNode.DataVersion"/>, and a read-ahead taken before that is dropped.
/// A change made to the backing file behind the mount is seen at most <see cref="MaxAge"/> late. The throttle is not
/// affected: it admits the request before this sees it, so the disk only serves each admitted read a little early.
/// </para>
/// One owner at a time: a request on the same handle while another is here (an asynchronous caller's) reads directly.
/// </summary>
internal sealed unsafe class ReadAhead(PassthroughFile file, PassthroughNode node, ReadAheadBuffers buffers) : IThreadPoolWorkItem
{
    /// <summary>Smaller reads are not worth it: their time is the round trip, not the disk.</summary>
    public const int MinLength = 128 * 1024;

    /// <summary>
    /// How old read-ahead data may be when it is served (changes behind the mount's back); also the longest gap between
    /// a reader's requests for it to be read ahead at all, so a slow (or throttled) reader costs the disk no read that
    /// would be too old to serve.
    /// </summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(20);

    private const int Idle = 0, Reading = 1, Ready = 2, Abandoned = 3;
    private static readonly long MaxAgeTicks = (long)(MaxAge.TotalSeconds * Stopwatch.Frequency);

    private readonly ManualResetEventSlim _done = new(initialState: true);
    private int _owned;
    private long _nextOffset = -1; // where the owner's last read ended
    private long _lastRead;        // when
    private int _state;

    // The read ahead: set by the owner before it is queued, the result by the pool thread before _done is set.
    private byte* _buffer;
    private long _offset;
    private int _length;
    private long _version;
    private long _started;
    private long _result;

    /// <summary>
    /// Makes the calling request the owner, for <see cref="TryServe"/> and <see cref="Follow"/>, until <see cref="Exit"/>;
    /// false while another request on the handle is the owner (it then reads directly).
    /// </summary>
    public bool TryEnter() => Interlocked.CompareExchange(ref _owned, 1, 0) == 0;

    public void Exit() => Volatile.Write(ref _owned, 0);

    /// <summary>
    /// Copies <paramref name="length"/> bytes at <paramref name="offset"/> into <paramref name="destination"/> from the
    /// read ahead, if it holds them and is still current; false when the request must read the file itself.
    /// </summary>
    public bool TryServe(long offset, byte* destination, int length, out IoResult result)
    {
        result = default;
        if (_state is Idle or Abandoned)
        {
            return false; // (an abandoned one gives its buffer back when its read ends)
        }

        if (offset != _offset || length > _length)
        {
            // Not what was read ahead: leave a running read to give its buffer back itself rather than wait for it.
            if (Interlocked.CompareExchange(ref _state, Abandoned, Reading) != Reading)
            {
                Finish();
            }

            return false;
        }

        _done.Wait(); // no longer than the pread this request would have made
        var fresh = _result >= 0 && Volatile.Read(ref node.DataVersion) == _version &&
                    Stopwatch.GetTimestamp() - _started <= MaxAgeTicks;
        var data = _buffer;
        var bytes = (int)Math.Min(_result, length);
        _buffer = null;
        _state = Idle;
        if (fresh && bytes == length)
        {
            // The next stretch starts before this one is copied out, so the disk has no gap for the copy.
            Start(offset + length, length);
        }

        if (fresh)
        {
            Buffer.MemoryCopy(data, destination, length, bytes);
            result = IoResult.Done(bytes);
        }

        buffers.Return((IntPtr)data);
        return fresh;
    }

    /// <summary>
    /// After the owner's read of <paramref name="length"/> bytes at <paramref name="offset"/>: when it continued the
    /// previous one soon after it and read all it asked for, starts reading the same length after it (unless that is
    /// already running).
    /// </summary>
    public void Follow(long offset, int length, in IoResult result)
    {
        var now = Stopwatch.GetTimestamp();
        var sequential = offset == _nextOffset && now - _lastRead <= MaxAgeTicks;
        var next = offset + length;
        _nextOffset = result.Error == Errno.Success && result.Bytes == length ? next : -1;
        _lastRead = now;
        if (sequential && _nextOffset == next && _state == Idle)
        {
            Start(next, length);
        }
    }

    /// <summary>Waits for a read ahead still running and gives its buffer back: the file is closing.</summary>
    public void Close()
    {
        _done.Wait();
        if (_state == Ready)
        {
            Finish();
        }

        // _done is not disposed: the pool thread may still be inside its Set, and it holds no kernel handle.
    }

    // The pool thread: reads the stretch ahead, until it is whole or the file ends.
    void IThreadPoolWorkItem.Execute()
    {
        long total = 0;
        while (total < _length)
        {
            var done = PRead(file.Fd, _buffer + total, _length - (nint)total, _offset + total);
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
        _done.Set(); // first: the owner may start the next read ahead once this one is idle
        if (abandoned)
        {
            Finish(); // the owner went elsewhere meanwhile
        }
    }

    private void Start(long offset, int length)
    {
        if (length is < MinLength or > ReadAheadBuffers.Size || buffers.Rent() is not { } buffer)
        {
            return;
        }

        _buffer = (byte*)buffer;
        (_offset, _length) = (offset, length);
        _version = Volatile.Read(ref node.DataVersion); // before the read: a write finishing during it moves it on
        _started = Stopwatch.GetTimestamp();
        _done.Reset();
        _state = Reading;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    private void Finish()
    {
        buffers.Return((IntPtr)_buffer);
        _buffer = null;
        Volatile.Write(ref _state, Idle);
    }
}
