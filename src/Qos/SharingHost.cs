namespace ThrottleFs.Qos;

/// <summary>A host sharing a group's limits, as the shared store last saw it.</summary>
/// <param name="Name">The host's name.</param>
/// <param name="Share">Its part of the demand now, 0 to 1 (0: it asks for nothing).</param>
/// <param name="SeenSecondsAgo">When it last asked or gave back.</param>
public readonly record struct SharingHost(string Name, double Share, double SeenSecondsAgo);
