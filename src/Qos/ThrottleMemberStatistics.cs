namespace ThrottleFs.Qos;

/// <summary>A snapshot of one member of a group.</summary>
/// <param name="Name">The member's name.</param>
/// <param name="Read">The member's reads.</param>
/// <param name="Write">The member's writes.</param>
public sealed record ThrottleMemberStatistics(string Name, DirectionStatistics Read, DirectionStatistics Write);
