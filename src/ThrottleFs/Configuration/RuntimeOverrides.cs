using System.Collections.Immutable;
using ThrottleFs.Qos;

namespace ThrottleFs.Configuration;

/// <summary>
/// Live changes made through the control file, the CLI or extended attributes, kept apart from the config file so
/// that a config reload keeps them and <c>clear</c> can take them back. Immutable: every command makes a new one.
/// </summary>
internal sealed record RuntimeOverrides
{
    /// <summary>No live changes.</summary>
    public static RuntimeOverrides None { get; } = new();

    /// <summary>Changes per exact path.</summary>
    public ImmutableSortedDictionary<string, FileEntry> Files { get; init; } = ImmutableSortedDictionary<string, FileEntry>.Empty;

    /// <summary>Changes per group; a group named here but not in the config is created.</summary>
    public ImmutableSortedDictionary<string, ThrottleSpec> Groups { get; init; } = ImmutableSortedDictionary<string, ThrottleSpec>.Empty;

    /// <summary>Changes to the mount-wide limits.</summary>
    public ThrottleSpec Mount { get; init; } = ThrottleSpec.Empty;

    /// <summary>These overrides with <paramref name="change"/> added to the path's entry.</summary>
    public RuntimeOverrides WithFile(string path, FileEntry change) =>
        this with { Files = Files.SetItem(path, Files.GetValueOrDefault(path, FileEntry.None).Then(change)) };

    /// <summary>These overrides with <paramref name="change"/> added to the group's.</summary>
    public RuntimeOverrides WithGroup(string name, ThrottleSpec change) =>
        this with { Groups = Groups.SetItem(name, Groups.GetValueOrDefault(name, ThrottleSpec.Empty).Then(change)) };
}
