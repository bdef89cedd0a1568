namespace ThrottleFs.Qos;

/// <summary>
/// What one member of a group has done: its requests, bytes, how many waited and how long in all. Wait percentiles
/// are kept for the group as a whole, not per member, and read 0 here.
/// </summary>
/// <param name="Name">The member's name.</param>
/// <param name="Read">The member's reads.</param>
/// <param name="Write">The member's writes.</param>
public sealed record ThrottleMemberStatistics(string Name, DirectionStatistics Read, DirectionStatistics Write);
