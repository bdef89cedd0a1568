namespace ThrottleFs.Tracing;

/// <summary>
/// The records one thread appends while a trace runs: a ring with one writer (that thread) and one reader (the
/// trace's writer), so appending takes no lock and no interlocked operation. When the ring is full the record is
/// dropped and counted: a slow disk under the trace file must not slow the I/O being traced.
/// </summary>
internal sealed class TraceBuffer
{
    private readonly TraceRecord[] _records;
    private readonly int _mask;
    private long _head; // next slot to fill: written by the owning thread only
    private long _tail; // next slot to drain: written by the trace's writer only

    /// <summary>Records this thread could not append because the ring was full.</summary>
    public long Dropped;

    /// <summary>A ring of <paramref name="capacity"/> records, a power of two.</summary>
    public TraceBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        if (!System.Numerics.BitOperations.IsPow2(capacity))
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a power of two");
        }

        _records = new TraceRecord[capacity];
        _mask = capacity - 1;
    }

    /// <summary>
    /// Appends a record, or counts it dropped. Only the owning thread calls this. Returns true when this record
    /// filled the ring half: time to wake the writer rather than wait for its next round.
    /// </summary>
    public bool Append(in TraceRecord record)
    {
        var head = _head;
        var held = head - Volatile.Read(ref _tail);
        if (held >= _records.Length)
        {
            Volatile.Write(ref Dropped, Dropped + 1);
            return false;
        }

        _records[head & _mask] = record;
        Volatile.Write(ref _head, head + 1); // publishes the record to the writer
        return held + 1 == _records.Length / 2;
    }

    /// <summary>Moves every record appended so far into <paramref name="into"/>. Only the trace's writer calls this.</summary>
    public void DrainInto(List<TraceRecord> into)
    {
        var tail = _tail;
        var head = Volatile.Read(ref _head);
        for (; tail < head; tail++)
        {
            // The slot is not cleared: the writer keeps every traced file's name by its reference for the trace's
            // life anyway, so clearing would free nothing.
            into.Add(_records[tail & _mask]);
        }

        Volatile.Write(ref _tail, tail);
    }
}
