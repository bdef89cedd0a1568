using ThrottleFs.Configuration;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;
using ThrottleFs.Statistics;

namespace ThrottleFs.Throttling;

/// <summary>Turns the engine's statistics into the snapshot records the control files serve.</summary>
internal static class Snapshots
{
    // A cluster-wide group shows the cluster's limits, also while this host runs on its fallback share.
    public static LayerStatistics Layer(ThrottleGroup group, SharedLease? lease = null, string? host = null)
    {
        var statistics = group.GetStatistics();
        return new LayerStatistics(
            statistics.Name,
            Spec(lease?.Config ?? statistics.Config),
            Direction(statistics.Read),
            Direction(statistics.Write),
            Buckets(statistics.Buckets),
            statistics.Members.Select(member => PathText.Escape(member.Name)).Order(StringComparer.Ordinal).ToList(),
            lease is null ? null : Cluster(lease.Status, host ?? ""));
    }

    private static ClusterSnapshot Cluster(SharedLeaseStatus status, string host) => new(
        host,
        status.Mode == SharedLeaseMode.Leasing ? "leasing" : "fallback",
        status.Reason ?? "",
        status.LocalLimits is { } local ? Spec(local) : "",
        [.. status.Hosts.Select(other => new ClusterHostSnapshot(other.Name, other.Share, other.SeenSecondsAgo))],
        status.Calls,
        status.Failures);

    // A file shows the groups its open handles pass, or, closed, the group it would join.
    public static FileStatistics File(FileThrottle file, EffectiveLimits limits) => new(
        PathText.Escape(file.Path),
        file.Opens,
        file.Own is { } own ? Spec(own.Config) : "",
        file.Groups.Any() ? string.Join(", ", file.Groups.Select(group => group.Name).Order(StringComparer.Ordinal)) : limits.ForFile(file.Path).Group,
        Direction(file.Meter.GetStatistics(ThrottleDirection.Read)),
        Direction(file.Meter.GetStatistics(ThrottleDirection.Write)),
        file.Own is { } buckets ? Buckets(buckets.GetStatistics().Buckets) : []);

    public static string Spec(ThrottleConfig config) => config.IsEnabled ? config.ToString() : "";

    private static DirectionSnapshot Direction(DirectionStatistics statistics) => new(
        statistics.Ops,
        statistics.Bytes,
        statistics.Throttled,
        statistics.WaitP50.TotalMilliseconds,
        statistics.WaitP90.TotalMilliseconds,
        statistics.WaitP99.TotalMilliseconds,
        statistics.MaxWait.TotalMilliseconds,
        statistics.TotalWait.TotalMilliseconds,
        statistics.QueueDepth,
        statistics.Policed,
        statistics.QueueFull,
        statistics.TimedOut);

    private static List<BucketSnapshot> Buckets(IReadOnlyList<BucketStatistics> buckets) =>
        buckets.Where(bucket => bucket.Avg > 0)
            .Select(bucket => new BucketSnapshot(bucket.Kind.Name(), bucket.Avg, bucket.Max, bucket.Level, bucket.Capacity, bucket.Fill, bucket.BurstSecondsLeft))
            .ToList();
}
