namespace ThrottleFs.Qos;

/// <summary>
/// Running counters for one direction of a group or member. Updated under the group's lock. Members count requests
/// but keep no wait percentiles (the group keeps those for all of them, and a file's end-to-end waits are in its
/// <see cref="AdmissionMeter"/>), so a member costs a few longs, not a histogram.
/// </summary>
/// <param name="percentiles">Whether to keep the waits' distribution; without it the percentiles read 0.</param>
internal sealed class DirectionCounters(bool percentiles = true)
{
    private readonly WaitHistogram? _waits = percentiles ? new() : null;
    private long _ops;
    private long _bytes;
    private long _throttled;
    private long _totalWaitNs;
    private long _maxWaitNs;
    private PerRefusal _refused;

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

        _waits?.Record(waitNs);
    }

    /// <summary>Counts a request refused instead of waiting.</summary>
    public void RecordRefusal(ThrottleRefusal cause) => _refused[(int)cause]++;

    /// <summary>Takes back the admission of a request a later layer refused.</summary>
    public void Unrecord(long bytes)
    {
        _ops--;
        _bytes -= bytes;
    }

    public DirectionStatistics Snapshot() => new(
        _ops,
        _bytes,
        _throttled,
        FromNs(_totalWaitNs),
        FromNs(_maxWaitNs),
        FromNs(_waits?.Percentile(0.50) ?? 0),
        FromNs(_waits?.Percentile(0.90) ?? 0),
        FromNs(_waits?.Percentile(0.99) ?? 0),
        Queued,
        _refused[(int)ThrottleRefusal.Policed],
        _refused[(int)ThrottleRefusal.QueueFull],
        _refused[(int)ThrottleRefusal.TimedOut]);

    private static TimeSpan FromNs(long ns) => TimeSpan.FromTicks(ns / 100);
}
