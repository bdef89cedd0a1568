namespace ThrottleFs.Statistics;

/// <summary>A cluster-wide group's lease on this host.</summary>
/// <param name="Host">This host's name in the cluster.</param>
/// <param name="State"><c>leasing</c> (sharing the cluster's limits through Redis) or <c>fallback</c> (Redis is away).</param>
/// <param name="Reason">Why it is on the fallback; empty while leasing.</param>
/// <param name="FallbackLimits">The limits in force here while on the fallback, as a SPEC; empty while leasing.</param>
/// <param name="Hosts">The hosts seen in the last minute, as Redis last said, this one included.</param>
/// <param name="Calls">Calls to Redis so far (leases and give-backs).</param>
/// <param name="Failures">Calls that failed or went unanswered.</param>
internal sealed record ClusterSnapshot(
    string Host,
    string State,
    string Reason,
    string FallbackLimits,
    IReadOnlyList<ClusterHostSnapshot> Hosts,
    long Calls,
    long Failures);
