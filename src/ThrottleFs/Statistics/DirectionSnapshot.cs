namespace ThrottleFs.Statistics;

/// <summary>What one direction (reads or writes) of a file or layer has done since it was created.</summary>
/// <param name="Ops">Requests admitted.</param>
/// <param name="Bytes">Bytes admitted.</param>
/// <param name="Throttled">Admitted requests that had to wait.</param>
/// <param name="WaitP50Ms">Median wait in milliseconds over all admitted requests (those that did not wait count as 0).</param>
/// <param name="WaitP90Ms">90th percentile wait, ms.</param>
/// <param name="WaitP99Ms">99th percentile wait, ms.</param>
/// <param name="WaitMaxMs">Longest wait, ms.</param>
/// <param name="WaitTotalMs">All waits summed, ms.</param>
/// <param name="QueueDepth">Requests waiting now.</param>
/// <param name="Policed">Requests refused at once (<c>action=police</c>).</param>
/// <param name="QueueFull">Requests refused because their queue was full (<c>queue-depth</c>).</param>
/// <param name="TimedOut">Requests refused after waiting <c>max-wait</c>.</param>
internal sealed record DirectionSnapshot(
    long Ops,
    long Bytes,
    long Throttled,
    double WaitP50Ms,
    double WaitP90Ms,
    double WaitP99Ms,
    double WaitMaxMs,
    double WaitTotalMs,
    int QueueDepth,
    long Policed = 0,
    long QueueFull = 0,
    long TimedOut = 0)
{
    /// <summary>Requests refused, for every cause.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public long Refused => Policed + QueueFull + TimedOut;

    /// <summary>Nothing done.</summary>
    public static DirectionSnapshot Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0);
}
