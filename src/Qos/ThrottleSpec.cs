namespace ThrottleFs.Qos;

/// <summary>
/// A parsed limit SPEC: <c>key=value</c> pairs separated by commas or spaces, e.g.
/// <c>iops-total=100,iops-total-max=2000,iops-total-max-length=60,bps-read=10M,iops-size=4K</c>.
/// A SPEC is a change: applied to a config, it sets the keys it names and leaves the rest alone.
/// </summary>
public sealed class ThrottleSpec
{
    private readonly List<(ThrottleKey Key, string Value)> _settings;

    private ThrottleSpec(List<(ThrottleKey Key, string Value)> settings) => _settings = settings;

    /// <summary>A SPEC that changes nothing.</summary>
    public static ThrottleSpec Empty { get; } = new([]);

    /// <summary>Whether the SPEC names no key.</summary>
    public bool IsEmpty => _settings.Count == 0;

    /// <summary>The keys (canonical names) and values, in the order given.</summary>
    public IEnumerable<(string Key, string Value)> Settings => _settings.Select(s => (s.Key.Name, s.Value));

    /// <summary>Parses a SPEC. Unknown keys, missing values and keys given twice are refused.</summary>
    /// <exception cref="ThrottleConfigException">Lists every problem found.</exception>
    public static ThrottleSpec Parse(string text)
    {
        var errors = new List<string>();
        var pairs = new List<(string, string)>();
        foreach (var pair in text.Split([',', ' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0 || equals == pair.Length - 1)
            {
                errors.Add($"'{pair}' is not key=value (write e.g. iops-total=100)");
                continue;
            }

            pairs.Add((pair[..equals], pair[(equals + 1)..]));
        }

        ThrottleSpec? spec = null;
        try
        {
            spec = FromPairs(pairs);
        }
        catch (ThrottleConfigException e)
        {
            errors.AddRange(e.Errors);
        }

        return errors.Count == 0 ? spec! : throw new ThrottleConfigException(errors);
    }

    /// <summary>
    /// A SPEC from keys and values already split, as a config file holds them. Keys may be any known name
    /// (QEMU, QMP, libvirt); unknown keys and keys given twice are refused.
    /// </summary>
    /// <exception cref="ThrottleConfigException">Lists every problem found.</exception>
    public static ThrottleSpec FromPairs(IEnumerable<(string Key, string Value)> pairs)
    {
        var errors = new List<string>();
        var settings = new List<(ThrottleKey, string)>();
        var seen = new Dictionary<ThrottleKey, string>();
        foreach (var (name, value) in pairs)
        {
            if (!ThrottleKeys.TryFind(name, out var key))
            {
                var suggestion = ThrottleKeys.Suggest(name);
                errors.Add(suggestion is null
                    ? $"unknown key '{name}' (keys are QEMU names such as iops-total, bps-read-max, iops-size, or libvirt names such as total_iops_sec)"
                    : $"unknown key '{name}' (did you mean '{suggestion}'?)");
                continue;
            }

            if (seen.TryGetValue(key, out var first))
            {
                errors.Add(first == name
                    ? $"{key.Name} is given twice"
                    : $"{key.Name} is given twice (as '{first}' and '{name}')");
                continue;
            }

            seen.Add(key, name);
            settings.Add((key, value));
        }

        return errors.Count == 0 ? new ThrottleSpec(settings) : throw new ThrottleConfigException(errors);
    }

    /// <summary>
    /// This SPEC followed by <paramref name="later"/>: keys in both take the later value. How repeated live changes
    /// to one file or group accumulate into one change.
    /// </summary>
    public ThrottleSpec Then(ThrottleSpec later)
    {
        var merged = new List<(ThrottleKey Key, string Value)>(_settings);
        foreach (var setting in later._settings)
        {
            var index = merged.FindIndex(s => s.Key == setting.Key);
            if (index >= 0)
            {
                merged[index] = setting;
            }
            else
            {
                merged.Add(setting);
            }
        }

        return new ThrottleSpec(merged);
    }

    /// <summary>
    /// This SPEC merged into <paramref name="config"/>. The result is not validated here, because a rule may only
    /// hold once several keys changed together; <see cref="ThrottleConfig.EnsureValid"/> checks the whole.
    /// </summary>
    /// <exception cref="ThrottleConfigException">A value does not parse; lists every such value.</exception>
    public ThrottleConfig ApplyTo(ThrottleConfig config)
    {
        var errors = new List<string>();
        foreach (var (key, value) in _settings)
        {
            try
            {
                config = ThrottleKeys.Set(config, key, value);
            }
            catch (ThrottleConfigException e)
            {
                errors.AddRange(e.Errors);
            }
        }

        return errors.Count == 0 ? config : throw new ThrottleConfigException(errors);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(",", _settings.Select(s => $"{s.Key.Name}={s.Value}"));
}
