using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// Reads the next stretches of a file read sequentially in large O_DIRECT requests while the current one travels back
/// to its caller. Without it the disk idles for every round trip (the reply's copy into the caller, its next request):
/// at queue depth 1 that is a third of the time of a 1 MiB read from a disk here. The kernel's own read-ahead does this
/// for buffered files, but an O_DIRECT caller's reads reach the disk only through ours. Two stretches are kept ahead,
/// so the disk has the next one queued while the thread that will ask for it is still being woken.
/// <para>
/// Coherent with everything done through the mount: a write, truncate, fallocate or copy into the file, through any
/// handle, moves its node's <see cref="PassthroughNode.DataVersion"/>, and a stretch read before that is dropped. A
/// change made to the backing file behind the mount is seen at most <see cref="MaxAge"/> late. The throttle is not
/// affected: it admits each request before this sees it, so the disk only serves admitted reads a little early.
/// </para>
/// One owner at a time: a request on the same handle while another is here (an asynchronous caller's) reads directly.
/// </summary>
internal sealed unsafe class ReadAhead
{
    /// <summary>Smaller reads are not worth it: their time is the round trip, not the disk.</summary>
    public const int MinLength = 128 * 1024;

    /// <summary>Stretches read ahead of the request being served.</summary>
    public const int Depth = 2;

    /// <summary>
    /// How old a stretch may be when it is served (changes behind the mount's back); also the longest gap between a
    /// reader's requests for it to be read ahead at all, so a slow (or throttled) reader costs the disk no read that
    /// would be too old to serve.
    /// </summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(20);

    private readonly PassthroughNode _node;
    private readonly TimeProvider _clock;
    private readonly long _maxAgeTicks;
    private readonly ReadAheadStretch[] _stretches; // Depth ahead, and the one being served
    private int _owned;
    private long _nextOffset = -1; // where the owner's last read ended
    private long _lastRead;        // when

    public ReadAhead(PassthroughFile file, PassthroughNode node, ReadAheadBuffers buffers)
    {
        _node = node;
        _clock = buffers.Clock;
        _maxAgeTicks = (long)(MaxAge.TotalSeconds * _clock.TimestampFrequency);
        _stretches = new ReadAheadStretch[Depth + 1];
        for (var i = 0; i < _stretches.Length; i++)
        {
            _stretches[i] = new ReadAheadStretch(file, buffers);
        }
    }

    /// <summary>
    /// Makes the calling request the owner, for <see cref="TryServe"/> and <see cref="Follow"/>, until <see cref="Exit"/>;
    /// false while another request on the handle is the owner (it then reads directly).
    /// </summary>
    public bool TryEnter() => Interlocked.CompareExchange(ref _owned, 1, 0) == 0;

    public void Exit() => Volatile.Write(ref _owned, 0);

    /// <summary>
    /// Copies <paramref name="length"/> bytes at <paramref name="offset"/> into <paramref name="destination"/> from a
    /// stretch read ahead, if one holds them and is still current; false when the request must read the file itself.
    /// </summary>
    public bool TryServe(long offset, byte* destination, int length, out IoResult result)
    {
        result = default;
        ReadAheadStretch? hit = null;
        foreach (var stretch in _stretches)
        {
            if (stretch.IsHeld && stretch.Offset == offset && length <= stretch.Length)
            {
                hit = stretch;
            }
        }

        if (hit is null)
        {
            // The reader went elsewhere: what was read ahead for it is of no use.
            foreach (var stretch in _stretches)
            {
                stretch.Abandon();
            }

            return false;
        }

        var bytes = hit.Wait(); // no longer than the pread this request would have made
        var fresh = bytes >= 0 && hit.Version == Volatile.Read(ref _node.DataVersion) &&
                    _clock.GetTimestamp() - hit.Started <= _maxAgeTicks;
        if (fresh && bytes >= length)
        {
            // The stretches after this one start before it is copied out, so the disk has no gap for the copy.
            ReadAheadFrom(offset + length, length);
        }

        if (fresh)
        {
            var served = (int)Math.Min(bytes, length);
            Buffer.MemoryCopy(hit.Data, destination, length, served);
            result = IoResult.Done(served);
        }
        else
        {
            // The file changed (or this waited too long): the stretches after it were read no later than it.
            foreach (var stretch in _stretches)
            {
                if (stretch != hit)
                {
                    stretch.Abandon();
                }
            }
        }

        hit.Release();
        return fresh;
    }

    /// <summary>
    /// After the owner's read of <paramref name="length"/> bytes at <paramref name="offset"/>: when it continued the
    /// previous one soon after it and read all it asked for, reads the next stretches of the same length ahead (those
    /// not already being read).
    /// </summary>
    public void Follow(long offset, int length, in IoResult result)
    {
        var now = _clock.GetTimestamp();
        var sequential = offset == _nextOffset && now - _lastRead <= _maxAgeTicks;
        var next = offset + length;
        _nextOffset = result.Error == Errno.Success && result.Bytes == length ? next : -1;
        _lastRead = now;
        if (sequential && _nextOffset == next)
        {
            ReadAheadFrom(next, length);
        }
    }

    /// <summary>Waits for stretches still being read and gives their buffers back: the file is closing.</summary>
    public void Close()
    {
        foreach (var stretch in _stretches)
        {
            stretch.Close();
        }
    }

    private void ReadAheadFrom(long offset, int length)
    {
        // A stretch not page-aligned would be refused by the O_DIRECT descriptor; such a request goes the buffered way.
        if (length is < MinLength or > ReadAheadBuffers.Size || ((offset | (long)length) & (Environment.SystemPageSize - 1)) != 0)
        {
            return;
        }

        for (var i = 0; i < Depth; i++)
        {
            var stretchOffset = offset + ((long)i * length);
            if (IsReadAhead(stretchOffset))
            {
                continue;
            }

            // The version before the read: a write that finishes during it moves the node's on, and drops the stretch.
            if (Idle() is not { } free || !free.Start(stretchOffset, length, Volatile.Read(ref _node.DataVersion)))
            {
                return;
            }
        }
    }

    private ReadAheadStretch? Idle()
    {
        foreach (var stretch in _stretches)
        {
            if (stretch.IsIdle)
            {
                return stretch;
            }
        }

        return null;
    }

    private bool IsReadAhead(long offset)
    {
        foreach (var stretch in _stretches)
        {
            if (stretch.IsHeld && stretch.Offset == offset)
            {
                return true;
            }
        }

        return false;
    }
}
