using ThrottleFs.Qos;

namespace ThrottleFs.Configuration;

/// <summary>
/// A config rule: files whose path matches get these limits on top of the per-file defaults, and/or join a group.
/// Rules are tried in order; the first match wins.
/// </summary>
/// <param name="Match">Which files.</param>
/// <param name="Limits">Changes to the per-file limits; empty when the rule only assigns a group.</param>
/// <param name="Group">The group the files join, or null.</param>
internal sealed record PathRule(PathGlob Match, ThrottleSpec Limits, string? Group);
