namespace ThrottleFs.Qos;

/// <summary>One host's ask of (or return to) a shared group's buckets.</summary>
/// <param name="Group">The group's name, the same on every host.</param>
/// <param name="Host">Who asks: unique among the hosts sharing the store.</param>
/// <param name="Config">The group's limits as this host holds them.</param>
/// <param name="Amounts">Credit per bucket, in <see cref="BucketKind"/> order: bytes or operations.</param>
public sealed record LeaseRequest(string Group, string Host, ThrottleConfig Config, double[] Amounts);
