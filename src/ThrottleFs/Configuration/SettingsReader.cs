using System.Collections.Immutable;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Serilog.Events;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;

namespace ThrottleFs.Configuration;

/// <summary>
/// Reads <see cref="ThrottleFsSettings"/> out of a built configuration (JSON file, environment, command line).
/// Keys are case-insensitive, and '_' may stand for '-' (<c>THROTTLEFS_MOUNT_LIMITS__BPS_TOTAL</c>). Every problem is
/// collected, each naming where its key came from, so one run of <c>throttlefs validate</c> shows them all.
/// </summary>
internal sealed class SettingsReader
{
    private static readonly string[] TopLevel =
        ["algorithm", "on-change", "control-directory", "control-readers", "logging", "metrics-listen", "cluster", "file-limits", "mount-limits", "groups", "rules", "files"];

    private static readonly string[] ClusterKeys = ["redis", "prefix", "host"];

    private static readonly string[] GroupOnlyKeys = ["per", "scope", "fallback"];

    private readonly IConfigurationRoot _root;
    private readonly string _fileName;
    private readonly List<string> _errors = [];

    private SettingsReader(IConfigurationRoot root, string fileName) => (_root, _fileName) = (root, fileName);

    /// <summary>Reads and checks the settings.</summary>
    /// <param name="root">The configuration.</param>
    /// <param name="fileName">The JSON file's path, to name it in errors.</param>
    /// <exception cref="ConfigException">Lists every problem found.</exception>
    public static ThrottleFsSettings Read(IConfigurationRoot root, string fileName)
    {
        var reader = new SettingsReader(root, fileName);
        var settings = reader.ReadAll();
        return reader._errors.Count == 0 ? settings : throw new ConfigException(reader._errors);
    }

    private ThrottleFsSettings ReadAll()
    {
        var sections = new Dictionary<string, IConfigurationSection>(StringComparer.Ordinal);
        foreach (var section in _root.GetChildren())
        {
            var name = Canonical(section.Key);
            if (TopLevel.Contains(name))
            {
                sections[name] = section;
            }
            else if (Where(section.Path) == "environment")
            {
                continue; // THROTTLEFS_* variables that are not settings belong to someone else (scripts, the launcher)
            }
            else
            {
                var suggestion = ClosestName.Find(name, TopLevel);
                Error(section.Path, $"unknown setting (settings are {string.Join(", ", TopLevel)}{(suggestion is null ? "" : $"; did you mean '{suggestion}'?")})");
            }
        }

        var settings = ThrottleFsSettings.Empty;
        if (sections.TryGetValue("algorithm", out var algorithm))
        {
            settings = settings with { Algorithm = Global(algorithm).Algorithm };
        }

        if (sections.TryGetValue("on-change", out var onChange))
        {
            settings = settings with { OnChange = Global(onChange).OnChange };
        }

        if (sections.TryGetValue("control-directory", out var control))
        {
            var name = control.Value ?? "";
            if (!ControlDirectoryName.IsValid(name))
            {
                Error(control.Path, $"'{name}' is not a file name (write e.g. \".throttlefs\")");
            }
            else
            {
                settings = settings with { ControlDirectory = name };
            }
        }

        if (sections.TryGetValue("control-readers", out var readers))
        {
            switch ((readers.Value ?? "").ToLowerInvariant())
            {
                case "owner":
                    settings = settings with { ControlReaders = ControlReaders.Owner };
                    break;
                case "everyone":
                    settings = settings with { ControlReaders = ControlReaders.Everyone };
                    break;
                default:
                    Error(readers.Path, $"'{readers.Value}' is not one of owner (the mount's owner and root; the default), everyone");
                    break;
            }
        }

        if (sections.TryGetValue("logging", out var logging))
        {
            settings = settings with { Logging = Logging(logging) };
        }

        if (sections.TryGetValue("metrics-listen", out var metrics))
        {
            try
            {
                Statistics.MetricsEndpoint.Parse(metrics.Value ?? "");
                settings = settings with { MetricsListen = metrics.Value };
            }
            catch (FormatException e)
            {
                Error(metrics.Path, e.Message);
            }
        }

        if (sections.TryGetValue("cluster", out var cluster))
        {
            settings = settings with { Cluster = Cluster(cluster) };
        }

        if (sections.TryGetValue("file-limits", out var fileLimits))
        {
            settings = settings with { FileLimits = Limits(fileLimits, []) };
        }

        if (sections.TryGetValue("mount-limits", out var mountLimits))
        {
            settings = settings with { MountLimits = Limits(mountLimits, []) };
        }

        if (sections.TryGetValue("groups", out var groups))
        {
            var builder = ImmutableSortedDictionary.CreateBuilder<string, ThrottleSpec>(StringComparer.Ordinal);
            var per = ImmutableSortedDictionary.CreateBuilder<string, CallerField>(StringComparer.Ordinal);
            var shared = ImmutableSortedDictionary.CreateBuilder<string, ThrottleSpec>(StringComparer.Ordinal);
            foreach (var group in groups.GetChildren())
            {
                if (!GroupName.IsValid(group.Key))
                {
                    Error(group.Path, GroupName.Problem(group.Key));
                    continue;
                }

                builder[group.Key] = Limits(group, GroupOnlyKeys);
                if (Scope(group) is { } fallback)
                {
                    shared[group.Key] = fallback;
                }

                if (Child(group, "per") is { } split)
                {
                    if (CallerFields.TryParse(split.Value, out var field))
                    {
                        per[group.Key] = field;
                    }
                    else
                    {
                        Error(split.Path, $"'{split.Value}' is not one of {CallerFields.Words} (one set of buckets per user, group or program)");
                    }
                }
            }

            settings = settings with { Groups = builder.ToImmutable(), GroupsPer = per.ToImmutable(), ClusterGroups = shared.ToImmutable() };
            if (settings.ClusterGroups.Count > 0 && !sections.ContainsKey("cluster"))
            {
                Error(groups.Path, $"{string.Join(", ", settings.ClusterGroups.Keys)}: \"scope\": \"cluster\" needs a cluster section, e.g. \"cluster\": {{ \"redis\": \"127.0.0.1:6379\" }}");
            }
        }

        if (sections.TryGetValue("rules", out var rules))
        {
            settings = settings with { Rules = [.. rules.GetChildren().Select(Rule).OfType<LimitRule>()] };
        }

        if (sections.TryGetValue("files", out var files))
        {
            var builder = ImmutableSortedDictionary.CreateBuilder<string, FileEntry>(StringComparer.Ordinal);
            var spelled = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in files.GetChildren())
            {
                try
                {
                    var path = MountPath.Normalize(PathText.Unescape(file.Key));
                    if (spelled.TryAdd(path, file.Key))
                    {
                        builder[path] = new FileEntry(Limits(file, GroupKeys), GroupOf(file));
                    }
                    else
                    {
                        Error(file.Path, $"names the same file as '{spelled[path]}' ({path}); keep one of them");
                    }
                }
                catch (FormatException e)
                {
                    Error(file.Path, e.Message);
                }
            }

            settings = settings with { Files = builder.ToImmutable() };
        }

        return settings;
    }

    // "cluster": { "redis": "...", "prefix": "...", "host": "..." }
    private ClusterSettings? Cluster(IConfigurationSection section)
    {
        foreach (var child in section.GetChildren().Where(child => !ClusterKeys.Contains(Canonical(child.Key))))
        {
            var suggestion = ClosestName.Find(Canonical(child.Key), ClusterKeys);
            Error(child.Path, $"unknown setting (a cluster has {string.Join(", ", ClusterKeys)}{(suggestion is null ? "" : $"; did you mean '{suggestion}'?")})");
        }

        var redis = Child(section, "redis")?.Value;
        if (string.IsNullOrWhiteSpace(redis))
        {
            Error(section.Path, "a cluster needs \"redis\": where Redis is, as StackExchange.Redis reads it (e.g. \"10.0.0.5:6379,password=secret\")");
            return null;
        }

        try
        {
            StackExchange.Redis.ConfigurationOptions.Parse(redis);
        }
        catch (ArgumentException e)
        {
            Error(Child(section, "redis")!.Path, $"'{redis}' is not a Redis configuration string: {e.Message}");
            return null;
        }

        var prefix = Child(section, "prefix")?.Value ?? ClusterSettings.DefaultPrefix;
        if (prefix.Length == 0 || prefix.Any(c => char.IsWhiteSpace(c) || c is '{' or '}'))
        {
            Error(Child(section, "prefix")!.Path, $"'{prefix}' is not a key prefix (write e.g. \"throttlefs\"; no spaces or braces)");
            return null;
        }

        var host = Child(section, "host")?.Value ?? Environment.MachineName;
        if (host.Length == 0 || host.Any(char.IsWhiteSpace))
        {
            Error(Child(section, "host")!.Path, $"'{host}' is not a host name (write e.g. \"hv07\"; no spaces)");
            return null;
        }

        return new ClusterSettings(redis, prefix, host);
    }

    // "scope": "local" (the default) or "cluster", and a cluster group's "fallback" SPEC. Returns the fallback (empty
    // when not given) for a cluster group, null for a local one.
    private ThrottleSpec? Scope(IConfigurationSection group)
    {
        var scope = Child(group, "scope");
        var fallback = Child(group, "fallback");
        var cluster = false;
        switch (scope?.Value?.ToLowerInvariant())
        {
            case null or "local":
                break;
            case "cluster":
                cluster = true;
                break;
            default:
                Error(scope.Path, $"'{scope.Value}' is not one of local (this host only; the default), cluster (shared by every host of the cluster)");
                return null;
        }

        if (fallback is null)
        {
            return cluster ? ThrottleSpec.Empty : null;
        }

        if (!cluster)
        {
            Error(fallback.Path, "a fallback is this host's share of a cluster group while Redis is away: add \"scope\": \"cluster\"");
            return null;
        }

        try
        {
            return ThrottleSpec.Parse(fallback.Value ?? throw new ThrottleConfigException("expected a SPEC such as \"iops-total=500\""));
        }
        catch (ThrottleConfigException e)
        {
            Error(fallback.Path, e.Message);
            return null;
        }
    }

    private static readonly string[] GroupKeys = ["group", "group-name"];

    private static readonly string[] RuleKeys = ["match", "uid", "gid", "process", .. GroupKeys];

    private LimitRule? Rule(IConfigurationSection rule)
    {
        var callers = Callers(rule, out var valid);
        var match = Child(rule, "match");
        if (match is null && callers.IsAnyone)
        {
            if (valid)
            {
                Error(rule.Path, "a rule needs \"match\" (a path pattern such as \"*.qcow2\" or \"images/**\"), a caller (\"uid\", \"gid\", \"process\"), or both");
            }

            return null;
        }

        PathGlob? glob = null;
        if (match is not null)
        {
            try
            {
                glob = PathGlob.Parse(match.Value ?? throw new FormatException("expected a pattern, not a list or object"));
            }
            catch (FormatException e)
            {
                Error(match.Path, $"'{match.Value}' is not a valid pattern: {e.Message}");
                return null;
            }
        }

        var limits = Limits(rule, RuleKeys);
        var group = GroupOf(rule);
        return valid ? new LimitRule(glob, callers, limits, group) : null;
    }

    // "uid", "gid" (numbers) and "process" (an executable's file name): who a rule is for.
    private CallerMatch Callers(IConfigurationSection rule, out bool valid)
    {
        var ok = true;
        uint? Id(string key)
        {
            if (Child(rule, key) is not { } child)
            {
                return null;
            }

            if (uint.TryParse(child.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            {
                return id;
            }

            Error(child.Path, $"'{child.Value}' is not a numeric {key} (write e.g. \"{key}\": 1000; `id` shows a user's)");
            ok = false;
            return null;
        }

        var uid = Id("uid");
        var gid = Id("gid");
        string? process = null;
        if (Child(rule, "process") is { } name)
        {
            if (name.Value is { Length: > 0 and <= 255 } value && !value.Contains('/') && !value.Contains('\0'))
            {
                process = value;
            }
            else
            {
                Error(name.Path, $"'{name.Value}' is not an executable's file name (write e.g. \"process\": \"fio\", without its directory)");
                ok = false;
            }
        }

        valid = ok;
        return uid is null && gid is null && process is null ? CallerMatch.Anyone : new CallerMatch(uid, gid, process);
    }

    private static IConfigurationSection? Child(IConfigurationSection section, string key) =>
        section.GetChildren().FirstOrDefault(child => Canonical(child.Key) == key);

    // "group" (or libvirt's group_name): a group name; "" takes the file out of any group.
    private string? GroupOf(IConfigurationSection section)
    {
        var group = section.GetChildren().FirstOrDefault(child => GroupKeys.Contains(Canonical(child.Key)));
        if (group is null)
        {
            return null;
        }

        var name = group.Value ?? "";
        if (name.Length > 0 && !GroupName.IsValid(name))
        {
            Error(group.Path, GroupName.Problem(name));
            return null;
        }

        return name;
    }

    private ThrottleSpec Limits(IConfigurationSection section, string[] otherKeys)
    {
        // One key may come from several layers under different names (total_iops_sec in the file, iops-total from
        // the environment): the later layer wins, as it would for one name. Twice in one layer is a mistake.
        var chosen = new Dictionary<ThrottleKey, (string Key, string Value, int Layer)>();
        foreach (var child in section.GetChildren())
        {
            if (otherKeys.Contains(Canonical(child.Key)))
            {
                continue;
            }

            if (child.Value is null)
            {
                Error(child.Path, "expected a number or a word, not a list or object");
                continue;
            }

            try
            {
                // Values are checked now, so that an error names its key; the whole is checked when resolved.
                var spec = ThrottleSpec.FromPairs([(child.Key, child.Value)]);
                spec.ApplyTo(ThrottleConfig.Unlimited);
                ThrottleKeys.TryFind(child.Key, out var key);
                var layer = Layer(child.Path);
                if (chosen.TryGetValue(key, out var earlier) && earlier.Layer == layer)
                {
                    Error(child.Path, $"{key.Name} is given twice (as '{earlier.Key}' and '{child.Key}')");
                }
                else if (!chosen.TryGetValue(key, out earlier) || earlier.Layer < layer)
                {
                    chosen[key] = (child.Key, child.Value, layer);
                }
            }
            catch (ThrottleConfigException e)
            {
                foreach (var problem in e.Errors)
                {
                    Error(child.Path, problem);
                }
            }
        }

        return ThrottleSpec.FromPairs(chosen.Values.Select(value => (value.Key, value.Value)));
    }

    private LoggingSettings Logging(IConfigurationSection section)
    {
        var settings = LoggingSettings.Default;
        foreach (var child in section.GetChildren())
        {
            switch (Canonical(child.Key))
            {
                case "level" when Enum.TryParse<LogEventLevel>(child.Value, ignoreCase: true, out var level) && Enum.IsDefined(level):
                    settings = settings with { Level = level };
                    break;
                case "level":
                    Error(child.Path, $"'{child.Value}' is not a level (use Verbose, Debug, Information, Warning, Error or Fatal)");
                    break;
                case "file":
                    settings = settings with { File = string.IsNullOrWhiteSpace(child.Value) ? null : child.Value };
                    break;
                default:
                    Error(child.Path, "unknown logging setting (use \"level\" and \"file\")");
                    break;
            }
        }

        return settings;
    }

    // algorithm and on-change are read as the SPEC keys of the same names, so they take exactly the same words.
    private ThrottleConfig Global(IConfigurationSection section)
    {
        try
        {
            return ThrottleSpec.FromPairs([(section.Key, section.Value ?? "")]).ApplyTo(ThrottleConfig.Unlimited);
        }
        catch (ThrottleConfigException e)
        {
            foreach (var problem in e.Errors)
            {
                Error(section.Path, problem);
            }

            return ThrottleConfig.Unlimited;
        }
    }

    private void Error(string path, string message)
    {
        // Key errors name their key ("bps-total: 'fast' is not ..."); the path already does.
        var last = path[(path.LastIndexOf(':') + 1)..];
        if (ThrottleKeys.TryFind(last, out var key) && message.StartsWith(key.Name + ": ", StringComparison.Ordinal))
        {
            message = message[(key.Name.Length + 2)..];
        }

        _errors.Add($"{Where(path)}: {DisplayPath(path)}: {message}");
    }

    // Which source gave this key: the last provider that has it (or a key under it) wins, as in the configuration itself.
    private string Where(string path) => Layer(path) switch
    {
        < 0 => "configuration",
        var layer => _root.Providers.ElementAt(layer) switch
        {
            FileConfigurationProvider => _fileName,
            EnvironmentVariablesConfigurationProvider => "environment",
            CommandLineConfigurationProvider => "command line",
            _ => "configuration",
        },
    };

    private int Layer(string path)
    {
        var providers = _root.Providers.ToList();
        for (var i = providers.Count - 1; i >= 0; i--)
        {
            if (providers[i].TryGet(path, out _) || providers[i].GetChildKeys([], path).Any())
            {
                return i;
            }
        }

        return -1;
    }

    // rules:2:iops-total reads better as rules[2].iops-total.
    private static string DisplayPath(string path) =>
        string.Join("", path.Split(':').Select((part, i) => int.TryParse(part, out _) ? $"[{part}]" : i == 0 ? part : "." + part));

    private static string Canonical(string key) => key.ToLowerInvariant().Replace('_', '-');
}
