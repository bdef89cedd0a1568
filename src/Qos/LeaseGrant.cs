namespace ThrottleFs.Qos;

/// <summary>What a shared store granted, and who else shares the group.</summary>
/// <param name="Granted">Credit per bucket, in <see cref="BucketKind"/> order.</param>
/// <param name="Hosts">Every host seen in the last minute, this one included.</param>
public sealed record LeaseGrant(double[] Granted, IReadOnlyList<SharingHost> Hosts);
