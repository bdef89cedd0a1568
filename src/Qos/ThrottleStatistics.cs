namespace ThrottleFs.Qos;

/// <summary>A snapshot of a throttle group: its limits, what it admitted, its queues and its buckets.</summary>
/// <param name="Name">The group's name.</param>
/// <param name="Config">The limits in force.</param>
/// <param name="Read">Reads through the group.</param>
/// <param name="Write">Writes through the group.</param>
/// <param name="Buckets">Every bucket, in <see cref="BucketKind"/> order.</param>
/// <param name="Members">Each member's own counters.</param>
public sealed record ThrottleStatistics(
    string Name,
    ThrottleConfig Config,
    DirectionStatistics Read,
    DirectionStatistics Write,
    IReadOnlyList<BucketStatistics> Buckets,
    IReadOnlyList<ThrottleMemberStatistics> Members);
