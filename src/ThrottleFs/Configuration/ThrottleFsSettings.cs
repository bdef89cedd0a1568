using System.Collections.Immutable;
using ThrottleFs.Qos;

namespace ThrottleFs.Configuration;

/// <summary>
/// A mount's configuration as the config file states it: limits as SPEC changes (so the global algorithm and
/// on-change policy apply under them), groups, rules and exact-path entries. Immutable; a reload builds a new one.
/// </summary>
internal sealed record ThrottleFsSettings
{
    /// <summary>No limits at all.</summary>
    public static ThrottleFsSettings Empty { get; } = new();

    /// <summary>Bucket algorithm of every limit set that does not name its own.</summary>
    public ThrottleAlgorithm Algorithm { get; init; } = ThrottleAlgorithm.Leaky;

    /// <summary>What a live change does to bucket levels, for every limit set that does not say.</summary>
    public LevelsOnChange OnChange { get; init; } = LevelsOnChange.Keep;

    /// <summary>Name of the virtual control directory at the mount root.</summary>
    public string ControlDirectory { get; init; } = ControlDirectoryName.Default;

    /// <summary>Who may read the control directory.</summary>
    public ControlReaders ControlReaders { get; init; } = ControlReaders.Owner;

    /// <summary>Log level and file.</summary>
    public LoggingSettings Logging { get; init; } = LoggingSettings.Default;

    /// <summary>Limits every file gets for its own.</summary>
    public ThrottleSpec FileLimits { get; init; } = ThrottleSpec.Empty;

    /// <summary>Limits all files share.</summary>
    public ThrottleSpec MountLimits { get; init; } = ThrottleSpec.Empty;

    /// <summary>Named groups and their limits.</summary>
    public ImmutableSortedDictionary<string, ThrottleSpec> Groups { get; init; } = ImmutableSortedDictionary<string, ThrottleSpec>.Empty;

    /// <summary>Groups that keep one set of buckets per caller (<c>"per"</c>), by name.</summary>
    public ImmutableSortedDictionary<string, CallerField> GroupsPer { get; init; } = ImmutableSortedDictionary<string, CallerField>.Empty;

    /// <summary>Where <c>/metrics</c> is served over HTTP (<c>HOST:PORT</c>); null: not served.</summary>
    public string? MetricsListen { get; init; }

    /// <summary>Where cluster-wide groups keep their buckets; null: no cluster.</summary>
    public ClusterSettings? Cluster { get; init; }

    /// <summary>
    /// Groups whose limits hold across every host of the cluster (<c>"scope": "cluster"</c>), by name, with the changes
    /// to their limits that make this host's share while Redis is away (<c>fallback</c>; empty: the limits divided by the
    /// hosts seen).
    /// </summary>
    public ImmutableSortedDictionary<string, ThrottleSpec> ClusterGroups { get; init; } = ImmutableSortedDictionary<string, ThrottleSpec>.Empty;

    /// <summary>Rules by path and caller, first match wins.</summary>
    public ImmutableArray<LimitRule> Rules { get; init; } = [];

    /// <summary>Exact paths, applied after their rule.</summary>
    public ImmutableSortedDictionary<string, FileEntry> Files { get; init; } = ImmutableSortedDictionary<string, FileEntry>.Empty;

    /// <summary>A limit set with nothing given: unlimited, with the global algorithm and on-change policy.</summary>
    public ThrottleConfig BaseLimits => ThrottleConfig.Unlimited with { Algorithm = Algorithm, OnChange = OnChange };
}
