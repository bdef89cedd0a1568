namespace ThrottleFs.Statistics;

/// <summary>A host sharing a cluster-wide group.</summary>
/// <param name="Name">The host's name.</param>
/// <param name="Share">Its part of the group's demand now, 0 to 1 (0: it asks for nothing).</param>
/// <param name="SeenSecondsAgo">When it last leased or gave back.</param>
internal sealed record ClusterHostSnapshot(string Name, double Share, double SeenSecondsAgo);
