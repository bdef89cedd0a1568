namespace ThrottleFs.Qos;

/// <summary>A cluster-wide group's lease as of one moment.</summary>
/// <param name="Mode">Leasing, or on the fallback.</param>
/// <param name="Reason">Why it is on the fallback; null while leasing.</param>
/// <param name="LocalLimits">The limits in force here while on the fallback; null while leasing.</param>
/// <param name="Hosts">The hosts sharing the group as the store last said, this one included.</param>
/// <param name="Balance">Credit held here, per bucket.</param>
/// <param name="Calls">Calls made to the store so far (leases and returns).</param>
/// <param name="Failures">Calls that failed or went unanswered.</param>
public sealed record SharedLeaseStatus(
    SharedLeaseMode Mode,
    string? Reason,
    ThrottleConfig? LocalLimits,
    IReadOnlyList<SharingHost> Hosts,
    double[] Balance,
    long Calls,
    long Failures);
