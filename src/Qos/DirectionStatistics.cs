namespace ThrottleFs.Qos;

/// <summary>What one direction of a group or member has done since it was created.</summary>
/// <param name="Ops">Requests admitted.</param>
/// <param name="Bytes">Bytes admitted.</param>
/// <param name="Throttled">Admitted requests that had to wait.</param>
/// <param name="TotalWait">Time admitted requests spent waiting, summed.</param>
/// <param name="MaxWait">Longest wait of an admitted request.</param>
/// <param name="WaitP50">Median wait over all admitted requests (those that did not wait count as 0).</param>
/// <param name="WaitP90">90th percentile wait.</param>
/// <param name="WaitP99">99th percentile wait.</param>
/// <param name="QueueDepth">Requests waiting now.</param>
/// <param name="Policed">Requests refused at once (<c>action=police</c>).</param>
/// <param name="QueueFull">Requests refused because their queue was full (<c>queue-depth</c>).</param>
/// <param name="TimedOut">Requests refused after waiting <c>max-wait</c>.</param>
public sealed record DirectionStatistics(
    long Ops,
    long Bytes,
    long Throttled,
    TimeSpan TotalWait,
    TimeSpan MaxWait,
    TimeSpan WaitP50,
    TimeSpan WaitP90,
    TimeSpan WaitP99,
    int QueueDepth,
    long Policed = 0,
    long QueueFull = 0,
    long TimedOut = 0)
{
    /// <summary>Requests refused, for every cause.</summary>
    public long Refused => Policed + QueueFull + TimedOut;
}
