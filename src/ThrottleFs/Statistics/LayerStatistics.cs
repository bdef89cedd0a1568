namespace ThrottleFs.Statistics;

/// <summary>A shared layer (the mount, or a named group): its limits, what it admitted, and its buckets.</summary>
/// <param name="Name">The group's name; "mount" for the mount-wide layer.</param>
/// <param name="Limits">The limits in force as a SPEC (<c>iops-total=100,bps-read=10M</c>); empty when unlimited.</param>
/// <param name="Read">Reads this layer admitted.</param>
/// <param name="Write">Writes this layer admitted.</param>
/// <param name="Buckets">The enabled buckets.</param>
/// <param name="Members">Paths of the files in the layer now.</param>
/// <param name="Cluster">For a cluster-wide group, its lease; null otherwise.</param>
internal sealed record LayerStatistics(
    string Name,
    string Limits,
    DirectionSnapshot Read,
    DirectionSnapshot Write,
    IReadOnlyList<BucketSnapshot> Buckets,
    IReadOnlyList<string> Members,
    ClusterSnapshot? Cluster = null);
