namespace ThrottleFs.Qos;

/// <summary>
/// End-to-end counters for one client of a <see cref="ThrottleChain"/>, such as a file: a request counts as throttled,
/// and its wait is measured, across every layer it passed, which no single layer's counters can tell. Chains are
/// rebuilt when a client changes group; the meter outlives them. Requests admitted at once cost two interlocked adds;
/// only those that waited take the lock.
/// </summary>
public sealed class AdmissionMeter
{
    private PerDirection<Direction> _directions;

    /// <summary>A meter with nothing counted yet.</summary>
    public AdmissionMeter()
    {
        _directions[0] = new Direction();
        _directions[1] = new Direction();
    }

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
            counters.Record(waitNs);
            counters.TotalWaitNs += waitNs;
        }

        Interlocked.Increment(ref counters.Ops);
        Interlocked.Add(ref counters.Bytes, bytes);
    }

    /// <summary>Records a request a layer refused (the wait it had started, if any, is over: see <see cref="RecordWaited"/>).</summary>
    public void RecordRefused(ThrottleDirection direction, ThrottleRefusal cause) =>
        Interlocked.Increment(ref _directions[(int)direction].Refused[(int)cause]);

    /// <summary>What one direction has done so far.</summary>
    public DirectionStatistics GetStatistics(ThrottleDirection direction)
    {
        var counters = _directions[(int)direction];
        lock (counters)
        {
            var ops = Volatile.Read(ref counters.Ops);

            // Only requests that waited are in the histogram; those admitted at once are its zeros.
            var zeros = Math.Max(ops - counters.Count, 0);
            return new DirectionStatistics(
                ops,
                Volatile.Read(ref counters.Bytes),
                counters.Count,
                FromNs(counters.TotalWaitNs),
                FromNs(counters.Max),
                FromNs(counters.Percentile(0.50, zeros)),
                FromNs(counters.Percentile(0.90, zeros)),
                FromNs(counters.Percentile(0.99, zeros)),
                Math.Max(Volatile.Read(ref counters.Queued), 0),
                Volatile.Read(ref counters.Refused[(int)ThrottleRefusal.Policed]),
                Volatile.Read(ref counters.Refused[(int)ThrottleRefusal.QueueFull]),
                Volatile.Read(ref counters.Refused[(int)ThrottleRefusal.TimedOut]));
        }
    }

    private static TimeSpan FromNs(long ns) => TimeSpan.FromTicks(ns / 100);

    // The waits of one direction (the requests that waited: their count, longest and distribution, under the lock),
    // with the rest as fields, so they can be passed by reference to Interlocked.
    private sealed class Direction : WaitHistogram
    {
        public long Ops;
        public long Bytes;
        public int Queued;
        public long TotalWaitNs;
        public PerRefusal Refused;
    }
}
