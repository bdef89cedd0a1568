namespace ThrottleFs.Simulation;

/// <summary>Counts a replay keeps for one file, group or the mount while it runs, turned into a <see cref="ScopeResult"/> at the end.</summary>
internal sealed class ScopeTally(string kind, string name)
{
    private readonly List<long> _waits = [];
    private long _waited;
    private long _refused;
    private int _queued;
    private int _peakQueued;
    private long _firstArrival = long.MaxValue;
    private long _lastDone = long.MinValue;
    private long _recordedFirstArrival = long.MaxValue;
    private long _recordedLastDone = long.MinValue;

    /// <summary>A request of the scope arrived at the throttle; <paramref name="recorded"/> is how the recording had it.</summary>
    public void Arrived(long nowNs, in TraceRequest recorded)
    {
        _firstArrival = Math.Min(_firstArrival, nowNs);
        _recordedFirstArrival = Math.Min(_recordedFirstArrival, recorded.ArrivalNs);
        _recordedLastDone = Math.Max(_recordedLastDone, recorded.DoneNs);
    }

    /// <summary>A request of the scope started waiting for its buckets.</summary>
    public void Queued() => _peakQueued = Math.Max(_peakQueued, ++_queued);

    /// <summary>A request that waited was admitted or refused.</summary>
    public void Dequeued() => _queued--;

    /// <summary>A request was admitted (or refused) after <paramref name="waitNs"/>.</summary>
    public void Admitted(long waitNs, bool refused)
    {
        _waits.Add(waitNs);
        _waited += waitNs > 0 ? 1 : 0;
        _refused += refused ? 1 : 0;
    }

    /// <summary>A request was done (or refused) at <paramref name="nowNs"/>.</summary>
    public void Done(long nowNs) => _lastDone = Math.Max(_lastDone, nowNs);

    /// <summary>The tally as a result; sorts the waits once.</summary>
    public ScopeResult ToResult()
    {
        var waits = _waits.ToArray();
        Array.Sort(waits);
        return new ScopeResult(
            kind, name, waits.Length, _waited, _refused,
            Percentile(waits, 0.50), Percentile(waits, 0.90), Percentile(waits, 0.99), waits.Length == 0 ? 0 : waits[^1],
            waits.Length == 0 ? 0 : _lastDone - _firstArrival,
            waits.Length == 0 ? 0 : _recordedLastDone - _recordedFirstArrival,
            _peakQueued);
    }

    // Nearest rank: the smallest wait that at least the share p of requests did not exceed.
    private static long Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
