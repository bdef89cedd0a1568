namespace ThrottleFs.Cli;

/*
 * The words of -o, as mount(8) and /etc/fstab hand them to a mount helper: "config=/etc/throttlefs/vms.json,
 * limit=iops-total=500:bps-total=100M,allow_other,nofail". Three kinds:
 *   ThrottleFs's own, each the mount command's flag of the same name: config=FILE, limit=SPEC, mount-limit=SPEC,
 *     algorithm=leaky|token, set=KEY=VALUE (again for each), page-cache;
 *   what the kernel takes (VFS flags and FUSE's options), passed on to the platform;
 *   what only mount(8) and systemd read (defaults, noauto, nofail, _netdev, user, x-systemd.*, comment=...), dropped.
 * Anything else is refused by name. Commas separate options, so the keys of a SPEC inside -o are separated by ':'
 * instead (a SPEC key never holds one), or the whole value is quoted: limit="iops-total=500,bps-total=100M".
 */

/// <summary>The words of <c>-o</c> sorted into ThrottleFs's settings, the platform's mount options and problems.</summary>
internal sealed class MountOptionWords
{
    /// <summary>Options the kernel takes for a FUSE mount: VFS flags and FUSE's own.</summary>
    public static readonly IReadOnlySet<string> KernelFlags = new HashSet<string>(StringComparer.Ordinal)
    {
        "ro", "rw", "exec", "noexec", "suid", "nosuid", "dev", "nodev", "sync", "async", "dirsync", "atime", "noatime",
        "diratime", "nodiratime", "relatime", "norelatime", "strictatime", "nostrictatime", "lazytime", "nolazytime",
        "allow_other", "default_permissions",
    };

    private static readonly HashSet<string> MountOnly = new(StringComparer.Ordinal)
    {
        "defaults", "auto", "noauto", "user", "nouser", "users", "owner", "group", "nofail", "_netdev",
    };

    private static readonly string[] Own = ["config", "limit", "mount-limit", "algorithm", "set", "page-cache", "metrics-listen", "transport"];

    public string? Config { get; private set; }

    public string? Limit { get; private set; }

    public string? MountLimit { get; private set; }

    public string? Algorithm { get; private set; }

    public string? MetricsListen { get; private set; }

    public string? Transport { get; private set; }

    public List<string> Set { get; } = [];

    public bool PageCache { get; private set; }

    /// <summary>Options for the platform, in the order given.</summary>
    public List<string> Platform { get; } = [];

    /// <summary>Every word refused, with why.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Sorts the values of every <c>-o</c> given.</summary>
    public static MountOptionWords Parse(IEnumerable<string> values)
    {
        var words = new MountOptionWords();
        foreach (var word in values.SelectMany(Split))
        {
            words.Add(word);
        }

        return words;
    }

    // Commas outside double quotes separate words; the quotes go.
    private static IEnumerable<string> Split(string value)
    {
        var word = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in value)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                if (word.Length > 0)
                {
                    yield return word.ToString();
                }

                word.Clear();
            }
            else
            {
                word.Append(c);
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }

    private void Add(string word)
    {
        var equals = word.IndexOf('=');
        var (key, value) = equals < 0 ? (word, null) : (word[..equals], word[(equals + 1)..]);
        switch (key)
        {
            case "config":
                Config = Value(word, value);
                break;
            case "limit":
                Limit = Value(word, value)?.Replace(':', ',');
                break;
            case "mount-limit":
                MountLimit = Value(word, value)?.Replace(':', ',');
                break;
            case "algorithm":
                Algorithm = Value(word, value);
                break;
            case "metrics-listen":
                MetricsListen = Value(word, value);
                break;
            case "transport":
                Transport = Value(word, value);
                break;
            case "set":
                if (Value(word, value) is { } setting)
                {
                    Set.Add(setting);
                }

                break;
            case "page-cache" when value is null:
                PageCache = true;
                break;
            case "page-cache":
                Problems.Add($"-o {word}: page-cache takes no value (write -o page-cache)");
                break;
            default:
                if (value is null && KernelFlags.Contains(key))
                {
                    Platform.Add(word);
                }
                else if (!MountOnly.Contains(word) && !word.StartsWith("x-", StringComparison.Ordinal) && !word.StartsWith("comment=", StringComparison.Ordinal))
                {
                    var suggestion = Qos.ClosestName.Find(key, [.. Own, .. KernelFlags, .. MountOnly]);
                    Problems.Add($"-o {word}: not a ThrottleFs, FUSE or mount option{(suggestion is null ? "" : $" (did you mean '{suggestion}'?)")}; " +
                                 $"ThrottleFs's own are {string.Join(", ", Own)}");
                }

                break;
        }
    }

    private string? Value(string word, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            Problems.Add($"-o {word}: give a value (e.g. -o {word.TrimEnd('=')}=...)");
            return null;
        }

        return value;
    }
}
