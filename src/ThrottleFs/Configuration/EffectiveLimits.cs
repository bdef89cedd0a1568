using System.Collections.Immutable;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;

namespace ThrottleFs.Configuration;

/// <summary>
/// The limits in force: the config file's settings with the live overrides on top, resolved into concrete configs
/// and validated as a whole. A file's own limits are built in layers, each a change to the one before:
/// <c>file-limits</c>, then the first rule that matches its path, then its exact-path entry (config <c>files</c>),
/// then its live changes. Built only through <see cref="Resolve"/>, so an instance is always valid: a change that
/// would break anything is refused before it replaces the running one.
/// </summary>
internal sealed class EffectiveLimits
{
    private readonly ThrottleConfig _fileDefault;
    private readonly ThrottleConfig[] _ruleLimits;

    private EffectiveLimits(
        ThrottleFsSettings settings,
        RuntimeOverrides overrides,
        ThrottleConfig fileDefault,
        ThrottleConfig[] ruleLimits,
        ImmutableSortedDictionary<string, FileEntry> entries,
        ThrottleConfig mount,
        ImmutableSortedDictionary<string, ThrottleConfig> groups)
    {
        Settings = settings;
        Overrides = overrides;
        _fileDefault = fileDefault;
        _ruleLimits = ruleLimits;
        Entries = entries;
        Mount = mount;
        Groups = groups;
        UsesProcess = settings.GroupsPer.ContainsValue(CallerField.Process) || settings.Rules.Any(rule => rule.Callers.Process is not null);
    }

    /// <summary>The config file's settings.</summary>
    public ThrottleFsSettings Settings { get; }

    /// <summary>The live changes.</summary>
    public RuntimeOverrides Overrides { get; }

    /// <summary>A file's own limits when no rule or entry names it.</summary>
    public ThrottleConfig FileDefault => _fileDefault;

    /// <summary>The mount-wide limits.</summary>
    public ThrottleConfig Mount { get; }

    /// <summary>Every group's limits, by name.</summary>
    public ImmutableSortedDictionary<string, ThrottleConfig> Groups { get; }

    /// <summary>Every exact-path entry, the config's and the live ones merged.</summary>
    public ImmutableSortedDictionary<string, FileEntry> Entries { get; }

    /// <summary>Resolves and validates everything.</summary>
    /// <exception cref="ConfigException">Lists every problem, each naming the section it is in.</exception>
    public static EffectiveLimits Resolve(ThrottleFsSettings settings, RuntimeOverrides overrides)
    {
        var errors = new List<string>();
        var fileDefault = Build(settings.BaseLimits, [settings.FileLimits], "file-limits", errors);

        var rules = new ThrottleConfig[settings.Rules.Length];
        for (var i = 0; i < rules.Length; i++)
        {
            var rule = settings.Rules[i];
            rules[i] = Build(settings.BaseLimits, [settings.FileLimits, rule.Limits], $"rules[{i}] ({rule})", errors);
        }

        var groups = ImmutableSortedDictionary.CreateBuilder<string, ThrottleConfig>(StringComparer.Ordinal);
        foreach (var name in settings.Groups.Keys.Union(overrides.Groups.Keys))
        {
            groups[name] = Build(
                settings.BaseLimits,
                [settings.Groups.GetValueOrDefault(name, ThrottleSpec.Empty), overrides.Groups.GetValueOrDefault(name, ThrottleSpec.Empty)],
                $"group {name}",
                errors);
        }

        foreach (var (name, config) in groups)
        {
            CheckFallback(settings, name, config, errors);
        }

        var mount = Build(settings.BaseLimits, [settings.MountLimits, overrides.Mount], "mount-limits", errors);

        var entries = settings.Files;
        foreach (var (path, live) in overrides.Files)
        {
            entries = entries.SetItem(path, entries.GetValueOrDefault(path, FileEntry.None).Then(live));
        }

        for (var i = 0; i < settings.Rules.Length; i++)
        {
            if (settings.Rules[i].Group is { Length: > 0 } group && !groups.ContainsKey(group))
            {
                errors.Add($"rules[{i}] ({settings.Rules[i]}): {Undefined(group)}");
            }
        }

        var limits = new EffectiveLimits(settings, overrides, fileDefault, rules, entries, mount, groups.ToImmutable());
        foreach (var (path, entry) in entries)
        {
            limits.CheckEntry(path, entry, errors);
        }

        return errors.Count == 0 ? limits : throw new ConfigException(errors);
    }

    /// <summary>
    /// These limits with one live change made: the same as <see cref="Resolve"/> of the settings with the changed
    /// overrides, at the cost of what the command touches (one file, one group or the mount), not of every entry, so
    /// a batch of thousands of lines against a config of many thousands of files stays fast.
    /// </summary>
    /// <exception cref="ConfigException">The change is refused; these limits stay as they are.</exception>
    public EffectiveLimits Apply(ControlCommand command)
    {
        var overrides = command.ApplyTo(Overrides);
        var errors = new List<string>();
        var (entries, mount, groups) = (Entries, Mount, Groups);
        switch (command.Scope)
        {
            case { File: { } path }:
                var entry = Settings.Files.TryGetValue(path, out var configured) | overrides.Files.TryGetValue(path, out var live)
                    ? (configured ?? FileEntry.None).Then(live ?? FileEntry.None)
                    : null;
                entries = entry is null ? entries.Remove(path) : entries.SetItem(path, entry);
                break;
            case { Group: { } name } when Settings.Groups.ContainsKey(name) || overrides.Groups.ContainsKey(name):
                groups = groups.SetItem(name, Build(
                    Settings.BaseLimits,
                    [Settings.Groups.GetValueOrDefault(name, ThrottleSpec.Empty), overrides.Groups.GetValueOrDefault(name, ThrottleSpec.Empty)],
                    $"group {name}",
                    errors));
                CheckFallback(Settings, name, groups[name], errors);
                break;
            case { Group: { } name }:
                // A group made live only is gone: nothing may still name it. The only change that looks at every entry.
                groups = groups.Remove(name);
                errors.AddRange(Settings.Rules.Select((rule, i) => (rule, i)).Where(r => r.rule.Group == name)
                    .Select(r => $"rules[{r.i}] ({r.rule}): {Undefined(name)}"));
                errors.AddRange(entries.Where(e => e.Value.Group == name).Select(e => $"file {e.Key}: {Undefined(name)}"));
                break;
            default:
                mount = Build(Settings.BaseLimits, [Settings.MountLimits, overrides.Mount], "mount-limits", errors);
                break;
        }

        var limits = new EffectiveLimits(Settings, overrides, _fileDefault, _ruleLimits, entries, mount, groups);
        if (command.Scope.File is { } file && entries.TryGetValue(file, out var changed))
        {
            limits.CheckEntry(file, changed, errors);
        }

        return errors.Count == 0 ? limits : throw new ConfigException(errors);
    }

    /// <summary>Whether any rule or group looks at the opener's program, which costs a lookup per new process.</summary>
    public bool UsesProcess { get; }

    /// <summary>What a group keeps separate buckets for, or null when all its files share one set.</summary>
    public CallerField? PerOf(string group) => Settings.GroupsPer.TryGetValue(group, out var per) ? per : null;

    /// <summary>A file's own limits and the group it is in (null for none), for a caller no caller rule names.</summary>
    public (ThrottleConfig Own, string? Group) ForFile(string path)
    {
        var (own, _, group) = ForCaller(path, Opener.Unknown);
        return (own, group);
    }

    /// <summary>
    /// A file's own limits and group when <paramref name="opener"/> opens it. <c>OwnKey</c> says which own buckets
    /// the limits are for: -1 for those the path alone decides (shared by every such caller), or the index of the
    /// caller rule that matched, whose callers get buckets of their own.
    /// </summary>
    public (ThrottleConfig Own, int OwnKey, string? Group) ForCaller(string path, Opener opener)
    {
        var rule = RuleFor(path, opener);
        var own = rule < 0 ? _fileDefault : _ruleLimits[rule];
        var group = rule < 0 ? null : Settings.Rules[rule].Group;
        if (Entries.TryGetValue(path, out var entry))
        {
            // Validated in Resolve, so applying it again cannot fail.
            own = entry.Limits.ApplyTo(own);
            group = entry.Group ?? group;
        }

        var key = rule >= 0 && !Settings.Rules[rule].Callers.IsAnyone ? rule : -1;
        return (own, key, string.IsNullOrEmpty(group) ? null : group);
    }

    /// <summary>
    /// The limits of a file's own buckets kept under <paramref name="ownKey"/> (<see cref="ForCaller"/>), for buckets
    /// no open handle decides on: unlimited once no caller rule of that index can apply to the path.
    /// </summary>
    public ThrottleConfig OwnFor(string path, int ownKey)
    {
        if (ownKey < 0)
        {
            return ForFile(path).Own;
        }

        if (ownKey >= Settings.Rules.Length || Settings.Rules[ownKey].Callers.IsAnyone || !Settings.Rules[ownKey].CouldMatch(path))
        {
            return ThrottleConfig.Unlimited;
        }

        return Entries.TryGetValue(path, out var entry) ? entry.Limits.ApplyTo(_ruleLimits[ownKey]) : _ruleLimits[ownKey];
    }

    /// <summary>The index of the first rule matching <paramref name="path"/> opened by <paramref name="opener"/>, or -1.</summary>
    public int RuleFor(string path, Opener opener)
    {
        for (var i = 0; i < Settings.Rules.Length; i++)
        {
            if (Settings.Rules[i].IsMatch(path, opener))
            {
                return i;
            }
        }

        return -1;
    }

    // A file's entry must build on its rule's limits, name a group that exists, and not be the control directory.
    private void CheckEntry(string path, FileEntry entry, List<string> errors)
    {
        // The entry applies on top of whichever rule a caller finds: the first the path alone matches, and every
        // caller rule the path may match.
        var where = $"file {PathText.Escape(path)}";
        var rule = RuleFor(path, Opener.Unknown);
        Build(rule < 0 ? _fileDefault : _ruleLimits[rule], [entry.Limits], where, errors);
        for (var i = 0; i < Settings.Rules.Length; i++)
        {
            if (!Settings.Rules[i].Callers.IsAnyone && Settings.Rules[i].CouldMatch(path))
            {
                Build(_ruleLimits[i], [entry.Limits], $"{where} (opened as rule {Settings.Rules[i]} says)", errors);
            }
        }

        if (entry.Group is { Length: > 0 } group && !Groups.ContainsKey(group))
        {
            errors.Add($"{where}: {Undefined(group)}");
        }

        var control = Settings.ControlDirectory;
        if (path == control || path.StartsWith(control + "/", StringComparison.Ordinal))
        {
            errors.Add($"{where}: this is ThrottleFs's control directory, which has no limits; name a file of the mount");
        }
    }

    /// <summary>Whether group <paramref name="group"/> shares its limits with every host of the cluster.</summary>
    public bool IsClusterWide(string group) => Settings.ClusterGroups.ContainsKey(group);

    // A cluster group's fallback share must make valid limits with the group's, or the group could not fall back.
    private static void CheckFallback(ThrottleFsSettings settings, string group, ThrottleConfig config, List<string> errors)
    {
        if (settings.ClusterGroups.TryGetValue(group, out var fallback) && !fallback.IsEmpty)
        {
            Build(config, [fallback], $"group {group} fallback ({fallback})", errors);
        }
    }

    private static string Undefined(string group) =>
        $"group '{group}' is not defined (add it under \"groups\" in the config, or create it live with: group {group} SPEC)";

    private static ThrottleConfig Build(ThrottleConfig start, ThrottleSpec[] changes, string where, List<string> errors)
    {
        try
        {
            var config = start;
            foreach (var change in changes)
            {
                config = change.ApplyTo(config);
            }

            return config.EnsureValid();
        }
        catch (ThrottleConfigException e)
        {
            errors.AddRange(e.Errors.Select(error => $"{where}: {error}"));
            return start;
        }
    }
}
