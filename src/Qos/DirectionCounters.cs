namespace ThrottleFs.Qos;

/// <summary>Running counters for one direction of a group or member. Updated under the group's lock.</summary>
internal sealed class DirectionCounters
{
    private readonly WaitHistogram _waits = new();
    private long _ops;
    private long _bytes;
    private long _throttled;
    private long _totalWaitNs;
    private long _maxWaitNs;

    /// <summary>Requests waiting in this direction now.</summary>
    public int Queued { get; set; }

    public void RecordAdmission(long bytes, long waitNs, bool throttled)
    {
        _ops++;
        _bytes += bytes;
        if (throttled)
        {
            _throttled++;
            _totalWaitNs += waitNs;
            _maxWaitNs = Math.Max(_maxWaitNs, waitNs);
        }

        _waits.Record(waitNs);
    }

    public DirectionStatistics Snapshot() => new(
        _ops,
        _bytes,
        _throttled,
        FromNs(_totalWaitNs),
        FromNs(_maxWaitNs),
        FromNs(_waits.Percentile(0.50)),
        FromNs(_waits.Percentile(0.90)),
        FromNs(_waits.Percentile(0.99)),
        Queued);

    private static TimeSpan FromNs(long ns) => TimeSpan.FromTicks(ns / 100);
}
