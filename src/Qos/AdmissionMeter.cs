namespace ThrottleFs.Qos;

/// <summary>
/// End-to-end counters for one client of a <see cref="ThrottleChain"/>, such as a file: a request counts as throttled,
/// and its wait is measured, across every layer it passed, which no single layer's counters can tell. Chains are
/// rebuilt when a client changes group; the meter outlives them. Requests admitted at once cost two interlocked adds;
/// only those that waited take the lock.
/// </summary>
public sealed class AdmissionMeter
{
    private readonly Direction[] _directions = [new(), new()];

    /// <summary>Records a request that every layer admitted without waiting.</summary>
    public void RecordImmediate(ThrottleDirection direction, long bytes)
    {
        var counters = _directions[(int)direction];
        Interlocked.Increment(ref counters.Ops);
        Interlocked.Add(ref counters.Bytes, bytes);
    }

    /// <summary>Counts a request that has started to wait (its queue depth).</summary>
    public void RecordQueued(ThrottleDirection direction) => Interlocked.Increment(ref _directions[(int)direction].Queued);

    /// <summary>Records a request that waited <paramref name="waitNs"/> and was then admitted (or gave up when <paramref name="admitted"/> is false).</summary>
    public void RecordWaited(ThrottleDirection direction, long bytes, long waitNs, bool admitted)
    {
        var counters = _directions[(int)direction];
        Interlocked.Decrement(ref counters.Queued);
        if (!admitted)
        {
            return;
        }

        lock (counters)
        {
            counters.Waits.Record(waitNs);
            counters.Throttled++;
            counters.TotalWaitNs += waitNs;
            counters.MaxWaitNs = Math.Max(counters.MaxWaitNs, waitNs);
        }

        Interlocked.Increment(ref counters.Ops);
        Interlocked.Add(ref counters.Bytes, bytes);
    }

    /// <summary>What one direction has done so far.</summary>
    public DirectionStatistics GetStatistics(ThrottleDirection direction)
    {
        var counters = _directions[(int)direction];
        lock (counters)
        {
            var ops = Volatile.Read(ref counters.Ops);

            // Requests admitted at once never touched the histogram: they are its zeros.
            var zeros = Math.Max(ops - counters.Throttled, 0);
            return new DirectionStatistics(
                ops,
                Volatile.Read(ref counters.Bytes),
                counters.Throttled,
                FromNs(counters.TotalWaitNs),
                FromNs(counters.MaxWaitNs),
                FromNs(counters.Waits.Percentile(0.50, zeros)),
                FromNs(counters.Waits.Percentile(0.90, zeros)),
                FromNs(counters.Waits.Percentile(0.99, zeros)),
                Math.Max(Volatile.Read(ref counters.Queued), 0));
        }
    }

    private static TimeSpan FromNs(long ns) => TimeSpan.FromTicks(ns / 100);

    // Fields, so they can be passed by reference to Interlocked.
    private sealed class Direction
    {
        public readonly WaitHistogram Waits = new();
        public long Ops;
        public long Bytes;
        public int Queued;
        public long Throttled;
        public long TotalWaitNs;
        public long MaxWaitNs;
    }
}
