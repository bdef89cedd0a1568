namespace ThrottleFs.Simulation;

/// <summary>
/// What a replay did to the requests of one file, one group, or the whole mount. Times are nanoseconds; a wait is
/// from a request's arrival at the throttle until every layer admitted (or refused) it.
/// </summary>
/// <param name="Kind"><c>file</c>, <c>group</c> or <c>mount</c>.</param>
/// <param name="Name">The file's path, the group's name, or the mount's.</param>
/// <param name="Ops">Reads and writes.</param>
/// <param name="WaitedOps">How many waited at all.</param>
/// <param name="RefusedOps">How many a limit refused (policing, a full queue, a wait too long).</param>
/// <param name="WaitP50Ns">Median wait.</param>
/// <param name="WaitP90Ns">90th percentile wait.</param>
/// <param name="WaitP99Ns">99th percentile wait.</param>
/// <param name="WaitMaxNs">Longest wait.</param>
/// <param name="DurationNs">From the first arrival to the last request done, in the replay.</param>
/// <param name="RecordedDurationNs">The same, as recorded.</param>
/// <param name="PeakQueueDepth">Most requests waiting for their buckets at once.</param>
internal sealed record ScopeResult(
    string Kind,
    string Name,
    long Ops,
    long WaitedOps,
    long RefusedOps,
    long WaitP50Ns,
    long WaitP90Ns,
    long WaitP99Ns,
    long WaitMaxNs,
    long DurationNs,
    long RecordedDurationNs,
    int PeakQueueDepth);
