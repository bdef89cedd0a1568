using System.Globalization;

namespace ThrottleFs.Qos;

/// <summary>
/// The table of every configuration key and its aliases, as QEMU's <c>properties[]</c> in throttle-groups.c.
/// QEMU (<c>iops-total</c>), QMP (<c>iops</c>, <c>iops_rd</c>) and libvirt (<c>total_iops_sec</c>) names all map
/// to the same field, so a libvirt <c>&lt;iotune&gt;</c> or a QEMU command line can be pasted as they are.
/// </summary>
public static class ThrottleKeys
{
    private static readonly Dictionary<string, ThrottleKey> ByName = new(StringComparer.OrdinalIgnoreCase);

    static ThrottleKeys()
    {
        var keys = new List<ThrottleKey>();
        foreach (var kind in BucketKinds.All)
        {
            var (qmp, libvirt) = kind switch
            {
                BucketKind.BpsTotal => ("bps", "total_bytes_sec"),
                BucketKind.BpsRead => ("bps_rd", "read_bytes_sec"),
                BucketKind.BpsWrite => ("bps_wr", "write_bytes_sec"),
                BucketKind.IopsTotal => ("iops", "total_iops_sec"),
                BucketKind.IopsRead => ("iops_rd", "read_iops_sec"),
                _ => ("iops_wr", "write_iops_sec"),
            };
            var name = kind.Name();
            keys.Add(new(name, [qmp, libvirt], kind, ThrottleKeyField.Avg));
            keys.Add(new(name + "-max", [qmp + "_max", libvirt + "_max"], kind, ThrottleKeyField.Max));
            keys.Add(new(name + "-max-length", [qmp + "_max_length", libvirt + "_max_length"], kind, ThrottleKeyField.MaxLength));
        }

        keys.Add(new("iops-size", ["iops_size", "size_iops_sec"], null, ThrottleKeyField.IopsSize));
        keys.Add(new("iops-size-mode", ["iops_size_mode"], null, ThrottleKeyField.IopsSizeMode));
        keys.Add(new("algorithm", [], null, ThrottleKeyField.Algorithm));
        keys.Add(new("on-change", ["on_change"], null, ThrottleKeyField.OnChange));
        keys.Add(new("latency-read", ["latency_read"], null, ThrottleKeyField.LatencyRead));
        keys.Add(new("latency-write", ["latency_write"], null, ThrottleKeyField.LatencyWrite));
        keys.Add(new("latency-jitter", ["latency_jitter"], null, ThrottleKeyField.LatencyJitter));
        keys.Add(new("latency-seed", ["latency_seed"], null, ThrottleKeyField.LatencySeed));
        keys.Add(new("action", [], null, ThrottleKeyField.Action));
        keys.Add(new("queue-depth", ["queue_depth"], null, ThrottleKeyField.QueueDepth));
        keys.Add(new("max-wait", ["max_wait"], null, ThrottleKeyField.MaxWait));
        keys.Add(new("over-limit-error", ["over_limit_error"], null, ThrottleKeyField.OverLimitError));

        All = keys;
        foreach (var key in keys)
        {
            ByName.Add(key.Name, key);
            foreach (var alias in key.Aliases)
            {
                ByName.Add(alias, key);
            }
        }
    }

    /// <summary>Every key, canonical names in the order they are documented.</summary>
    public static IReadOnlyList<ThrottleKey> All { get; }

    /// <summary>
    /// Finds a key by any of its names, ignoring case and a QEMU <c>throttling.</c> prefix.
    /// </summary>
    public static bool TryFind(string name, out ThrottleKey key)
    {
        const string prefix = "throttling.";
        var bare = name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? name[prefix.Length..] : name;
        // Underscores for dashes too (iops_total_max), so environment variables can name every key.
        return ByName.TryGetValue(bare, out key!) || ByName.TryGetValue(bare.Replace('_', '-'), out key!);
    }

    /// <summary>The known name closest to a misspelt one, when one is close enough to suggest.</summary>
    public static string? Suggest(string name) => ClosestName.Find(name, ByName.Keys);

    /// <summary>Sets the field a key names to an already parsed value.</summary>
    public static ThrottleConfig Set(ThrottleConfig config, ThrottleKey key, string value)
    {
        if (key.Bucket is { } kind)
        {
            var bucket = config[kind];
            var number = ParseNumber(key, value);
            return config.With(kind, key.Field switch
            {
                ThrottleKeyField.Avg => bucket with { Avg = number },
                ThrottleKeyField.Max => bucket with { Max = number },
                _ => bucket with { MaxLength = number },
            });
        }

        return key.Field switch
        {
            ThrottleKeyField.IopsSize => config with { IopsSize = ParseNumber(key, value) },
            ThrottleKeyField.IopsSizeMode => config with
            {
                IopsSizeMode = ParseWord(key, value, ("fraction", IopsSizeMode.Fraction), ("round-up", IopsSizeMode.RoundUp)),
            },
            ThrottleKeyField.Algorithm => config with
            {
                Algorithm = ParseWord(key, value, ("leaky", ThrottleAlgorithm.Leaky), ("token", ThrottleAlgorithm.Token)),
            },
            ThrottleKeyField.OnChange => config with
            {
                OnChange = ParseWord(key, value, ("keep", LevelsOnChange.Keep), ("reset", LevelsOnChange.Reset)),
            },
            ThrottleKeyField.LatencyRead => config with { LatencyRead = ParseDuration(key, value) },
            ThrottleKeyField.LatencyWrite => config with { LatencyWrite = ParseDuration(key, value) },
            ThrottleKeyField.LatencyJitter => config with { LatencyJitter = ParseDuration(key, value) },
            ThrottleKeyField.Action => config with
            {
                Action = ParseWord(key, value, ("shape", OverLimitAction.Shape), ("police", OverLimitAction.Police)),
            },
            ThrottleKeyField.QueueDepth => config with
            {
                QueueDepth = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var depth)
                    ? depth
                    : throw new ThrottleConfigException($"{key.Name}: '{value}' is not a whole number (write e.g. {key.Name}=8; 0 refuses whatever cannot pass at once)"),
            },
            ThrottleKeyField.MaxWait => config with { MaxWait = ParseDuration(key, value) },
            ThrottleKeyField.OverLimitError => config with
            {
                OverLimitError = ParseWord(
                    key, value, ("EAGAIN", OverLimitError.EAGAIN), ("EBUSY", OverLimitError.EBUSY), ("EIO", OverLimitError.EIO),
                    ("ETIMEDOUT", OverLimitError.ETIMEDOUT), ("ENOSPC", OverLimitError.ENOSPC), ("EDQUOT", OverLimitError.EDQUOT)),
            },
            _ => config with
            {
                LatencySeed = long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed)
                    ? seed
                    : throw new ThrottleConfigException($"{key.Name}: '{value}' is not a whole number (write e.g. {key.Name}=42)"),
            },
        };
    }

    /// <summary>
    /// Every limit key of <paramref name="config"/>, defaults included: the buckets, <c>iops-size</c>, its mode and the
    /// algorithm. Applied to any config it makes that config's limits exactly these, and leaves what happens to a
    /// request over them (latency, action, queue depth, waits, errors, on-change) as it was.
    /// </summary>
    public static IReadOnlyList<(string Key, string Value)> DescribeLimits(ThrottleConfig config)
    {
        var keys = new List<(string, string)>();
        foreach (var kind in BucketKinds.All)
        {
            var bucket = config[kind];
            keys.Add((kind.Name(), Quantity.Format(bucket.Avg, kind.CountsBytes())));
            keys.Add((kind.Name() + "-max", Quantity.Format(bucket.Max, kind.CountsBytes())));
            keys.Add((kind.Name() + "-max-length", bucket.MaxLength.ToString(CultureInfo.InvariantCulture)));
        }

        keys.Add(("iops-size", Quantity.Format(config.IopsSize, bytes: true)));
        keys.Add(("iops-size-mode", config.IopsSizeMode == IopsSizeMode.RoundUp ? "round-up" : "fraction"));
        keys.Add(("algorithm", config.Algorithm == ThrottleAlgorithm.Token ? "token" : "leaky"));
        return keys;
    }

    /// <summary>Every key whose value differs from the default, with the value as it would be written in a SPEC.</summary>
    public static IReadOnlyList<(string Key, string Value)> Describe(ThrottleConfig config)
    {
        var keys = new List<(string, string)>();
        foreach (var kind in BucketKinds.All)
        {
            var bucket = config[kind];
            var name = kind.Name();
            if (bucket.Avg != 0)
            {
                keys.Add((name, Quantity.Format(bucket.Avg, kind.CountsBytes())));
            }

            if (bucket.Max != 0)
            {
                keys.Add((name + "-max", Quantity.Format(bucket.Max, kind.CountsBytes())));
            }

            if (bucket.MaxLength != 1)
            {
                keys.Add((name + "-max-length", bucket.MaxLength.ToString(CultureInfo.InvariantCulture)));
            }
        }

        if (config.IopsSize != 0)
        {
            keys.Add(("iops-size", Quantity.Format(config.IopsSize, bytes: true)));
        }

        if (config.IopsSizeMode != IopsSizeMode.Fraction)
        {
            keys.Add(("iops-size-mode", "round-up"));
        }

        if (config.Algorithm != ThrottleAlgorithm.Leaky)
        {
            keys.Add(("algorithm", "token"));
        }

        if (config.OnChange != LevelsOnChange.Keep)
        {
            keys.Add(("on-change", "reset"));
        }

        foreach (var (name, value) in new[] { ("latency-read", config.LatencyRead), ("latency-write", config.LatencyWrite), ("latency-jitter", config.LatencyJitter) })
        {
            if (value != 0)
            {
                keys.Add((name, Duration.Format(value)));
            }
        }

        if (config.LatencySeed != 0)
        {
            keys.Add(("latency-seed", config.LatencySeed.ToString(CultureInfo.InvariantCulture)));
        }

        if (config.Action != OverLimitAction.Shape)
        {
            keys.Add(("action", "police"));
        }

        if (config.QueueDepth is { } depth)
        {
            keys.Add(("queue-depth", depth.ToString(CultureInfo.InvariantCulture)));
        }

        if (config.MaxWait != 0)
        {
            keys.Add(("max-wait", Duration.Format(config.MaxWait)));
        }

        if (config.OverLimitError != OverLimitError.Default)
        {
            keys.Add(("over-limit-error", config.OverLimitError.ToString()));
        }

        return keys;
    }

    private static long ParseNumber(ThrottleKey key, string value) => Quantity.TryParse(value, out var number)
        ? number
        : throw new ThrottleConfigException(
            $"{key.Name}: '{value}' is not a whole number (write e.g. {key.Name}={(key.IsBytes ? "10M" : "100")}; K, M, G, T are powers of 1024)");

    private static long ParseDuration(ThrottleKey key, string value) => Duration.TryParse(value, out var ns)
        ? ns
        : throw new ThrottleConfigException($"{key.Name}: '{value}' is not a duration (write e.g. {key.Name}=20ms; units us, ms, s, m)");

    private static T ParseWord<T>(ThrottleKey key, string value, params (string Word, T Value)[] choices)
    {
        foreach (var (word, result) in choices)
        {
            if (string.Equals(word, value, StringComparison.OrdinalIgnoreCase))
            {
                return result;
            }
        }

        throw new ThrottleConfigException(
            $"{key.Name}: '{value}' is not one of {string.Join(", ", choices.Select(c => c.Word))}");
    }
}
