using ThrottleFs.Qos;

namespace ThrottleFs.Cluster;

/// <summary>A cluster group's limits as Redis keeps them.</summary>
/// <param name="Limits">The limits, every limit key named.</param>
/// <param name="File">The group's SPEC in the config file of the host that stored them.</param>
internal sealed record StoredLimits(ThrottleSpec Limits, string File);
