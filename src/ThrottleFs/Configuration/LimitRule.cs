using ThrottleFs.Qos;

namespace ThrottleFs.Configuration;

/// <summary>
/// A config rule: files whose path matches, opened by callers it names, get these limits on top of the per-file
/// defaults and/or join a group. Rules are tried in order; the first match wins.
/// </summary>
/// <param name="Match">Which files; null for every file.</param>
/// <param name="Callers">Which openers; <see cref="CallerMatch.Anyone"/> when only the path decides.</param>
/// <param name="Limits">Changes to the per-file limits; empty when the rule only assigns a group.</param>
/// <param name="Group">The group the files join, or null.</param>
internal sealed record LimitRule(PathGlob? Match, CallerMatch Callers, ThrottleSpec Limits, string? Group)
{
    /// <summary>A rule on paths alone.</summary>
    public LimitRule(PathGlob match, ThrottleSpec limits, string? group)
        : this(match, CallerMatch.Anyone, limits, group)
    {
    }

    /// <summary>Whether the rule applies to <paramref name="path"/> opened by <paramref name="opener"/>.</summary>
    public bool IsMatch(string path, Opener opener) => (Match is null || Match.IsMatch(path)) && Callers.IsMatch(opener);

    /// <summary>Whether the rule could apply to <paramref name="path"/> for some caller.</summary>
    public bool CouldMatch(string path) => Match is null || Match.IsMatch(path);

    /// <summary><c>*.qcow2</c>, <c>process=fio</c>, <c>images/** uid=1000</c>: how errors and the log name the rule.</summary>
    public override string ToString() =>
        (Match, Callers.IsAnyone) switch
        {
            (null, true) => "**",
            (null, false) => Callers.ToString(),
            (_, true) => Match.ToString(),
            _ => $"{Match} {Callers}",
        };
}
