using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;

namespace ThrottleFs.Configuration;

/// <summary>
/// The limits in force written as a config file: what reading <c>.throttlefs/control</c> returns. Groups and the
/// mount show their effective limits (config and live changes merged); <c>files</c> shows every exact-path entry.
/// Saved to a file, it loads back to the same limits, so a live tuning session can be kept.
/// </summary>
internal static class ConfigJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The effective configuration as indented JSON.</summary>
    public static string Write(EffectiveLimits limits)
    {
        var settings = limits.Settings;
        var document = new JsonObject
        {
            ["algorithm"] = settings.Algorithm == ThrottleAlgorithm.Token ? "token" : "leaky",
            ["on-change"] = settings.OnChange == LevelsOnChange.Reset ? "reset" : "keep",
            ["control-directory"] = settings.ControlDirectory,
            ["control-readers"] = settings.ControlReaders == ControlReaders.Everyone ? "everyone" : "owner",
            ["logging"] = new JsonObject
            {
                ["level"] = settings.Logging.Level.ToString(),
                ["file"] = settings.Logging.File,
            },
            ["cluster"] = settings.Cluster is { } cluster
                ? new JsonObject { ["redis"] = cluster.RedisShown, ["prefix"] = cluster.Prefix, ["host"] = cluster.Host }
                : null,
            ["file-limits"] = Limits(settings.FileLimits.Settings),
            ["mount-limits"] = Limits(Effective(limits.Mount, settings)),
            ["groups"] = Object(limits.Groups.Select(group => (group.Key, (JsonNode)Group(group.Key, group.Value, limits)))),
            ["rules"] = new JsonArray([.. settings.Rules.Select(Rule)]),
            ["files"] = Object(limits.Entries.Select(entry => (PathText.Escape(entry.Key), (JsonNode)File(entry.Value)))),
        };
        if (settings.Cluster is null)
        {
            document.Remove("cluster");
        }

        if (settings.MetricsListen is { } listen)
        {
            document["metrics-listen"] = listen;
        }

        return document.ToJsonString(Indented);
    }

    private static JsonNode Rule(LimitRule rule)
    {
        var node = new JsonObject();
        if (rule.Match is not null)
        {
            node["match"] = rule.Match.Pattern;
        }

        if (rule.Callers.Uid is { } uid)
        {
            node["uid"] = uid;
        }

        if (rule.Callers.Gid is { } gid)
        {
            node["gid"] = gid;
        }

        if (rule.Callers.Process is { } process)
        {
            node["process"] = process;
        }

        if (rule.Group is not null)
        {
            node["group"] = rule.Group;
        }

        foreach (var (key, value) in rule.Limits.Settings)
        {
            node[key] = Value(value);
        }

        return node;
    }

    private static JsonObject Group(string name, ThrottleConfig config, EffectiveLimits limits)
    {
        var node = new JsonObject();
        if (limits.PerOf(name) is { } per)
        {
            node["per"] = per.Word();
        }

        if (limits.Settings.ClusterGroups.TryGetValue(name, out var fallback))
        {
            node["scope"] = "cluster";
            if (!fallback.IsEmpty)
            {
                node["fallback"] = fallback.ToString();
            }
        }

        foreach (var (key, value) in Effective(config, limits.Settings))
        {
            node[key] = Value(value);
        }

        return node;
    }

    private static JsonObject File(FileEntry entry)
    {
        var node = Limits(entry.Limits.Settings);
        if (entry.Group is not null)
        {
            node["group"] = entry.Group;
        }

        return node;
    }

    // The keys that differ from an unlimited config with the global algorithm and on-change policy.
    private static IEnumerable<(string Key, string Value)> Effective(ThrottleConfig config, ThrottleFsSettings settings) =>
        ThrottleKeys.Describe(config with { Algorithm = config.Algorithm == settings.Algorithm ? ThrottleAlgorithm.Leaky : config.Algorithm, OnChange = config.OnChange == settings.OnChange ? LevelsOnChange.Keep : config.OnChange });

    private static JsonObject Limits(IEnumerable<(string Key, string Value)> pairs) => Object(pairs.Select(pair => (pair.Key, Value(pair.Value))));

    private static JsonObject Object(IEnumerable<(string Key, JsonNode Value)> properties)
    {
        var node = new JsonObject();
        foreach (var (key, value) in properties)
        {
            node[key] = value;
        }

        return node;
    }

    private static JsonNode Value(string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number) : JsonValue.Create(value);
}
