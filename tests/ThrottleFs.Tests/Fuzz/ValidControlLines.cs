using System.Globalization;
using System.Text;
using ThrottleFs.Configuration;
using ThrottleFs.Qos;

namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// Control lines that must all be applied, written every way the syntax allows: any command, key aliases and case,
/// quoted and escaped paths (blanks, <c>\xHH</c> bytes that are not UTF-8, <c>\\</c>), commas, blanks and tabs between
/// pairs, comments and blank lines. A small model of what the lines did so far (the groups made live, the files
/// assigned to them) keeps every line valid against the limits before it: a line that sets a bucket's rate always
/// sets its burst and burst length too (so no merge can leave a burst below its rate), totals are never mixed with
/// read/write limits, a group is assigned only once it exists and cleared only once no file is in it.
/// </summary>
internal sealed class ValidControlLines(Random random)
{
    public static readonly string[] Paths =
    [
        "a.img", "\"a.img\"", "/a.img", "./a.img", "images//vm1.qcow2", "images/vm1.qcow2", "\"my disk.img\"", "my\\x20disk.img",
        "\\xff.img", "\\xfe.img", "caf\\xc3\\xa9.img", "back\\\\slash.img", "\"quote\\\"d.img\"", "deep/er/still/f.raw",
    ];

    private static readonly string[] GroupNames = ["vms", "g1", "a.b-c_d", "G", "0"];
    private static readonly BucketKind[] Buckets = [BucketKind.IopsTotal, BucketKind.BpsTotal];
    private static readonly (string Key, string[] Words)[] WordKeys =
    [
        ("algorithm", ["leaky", "token", "LEAKY", "Token"]),
        ("on-change", ["keep", "reset"]),
        ("iops-size-mode", ["fraction", "round-up"]),
    ];

    private readonly HashSet<string> _groups = [];
    private readonly Dictionary<string, string> _assigned = [];

    /// <summary>The next line, without its line end.</summary>
    public string Next()
    {
        switch (random.Next(20))
        {
            case 0:
                return random.Next(3) switch { 0 => "", 1 => " \t ", _ => "# a comment: file x iops-total=oops \\x00 \\" };
            case < 6:
                return $"{Word("file")} {Path(out _)} {Spec()}";
            case < 9:
                var group = GroupNames[random.Next(GroupNames.Length)];
                _groups.Add(group);
                return $"{Word("group")} {group} {Spec()}";
            case < 11:
                return $"{Word("mount")} {Spec()}";
            case < 13 when _groups.Count > 0:
                var target = _groups.ElementAt(random.Next(_groups.Count));
                var assigned = Path(out var key);
                _assigned[key] = target;
                return $"{Word("assign")} {assigned} {target}";
            case < 15:
                var unassigned = Path(out var path);
                _assigned.Remove(path);
                return $"{Word("unassign")} {unassigned}";
            case < 17:
                var cleared = Path(out var clearedPath);
                _assigned.Remove(clearedPath);
                return $"{Word("clear")} file {cleared}";
            case < 18 when _groups.FirstOrDefault(g => !_assigned.ContainsValue(g)) is { } empty:
                _groups.Remove(empty);
                return $"clear group {empty}";
            default:
                return "clear mount";
        }
    }

    /// <summary>A valid SPEC: one or two buckets (each with its burst and burst length) and maybe a word setting.</summary>
    public string Spec()
    {
        var pairs = new List<string>();
        foreach (var bucket in Buckets.Where(_ => random.Next(3) > 0).DefaultIfEmpty(Buckets[random.Next(Buckets.Length)]))
        {
            var (rate, written) = Rate(bucket);
            var max = rate > 0 && random.Next(2) == 0 ? rate * random.Next(1, 20) : 0;
            var length = max > 0 ? random.NextInt64(1, Math.Min(120, 1_000_000_000_000_000 / max) + 1) : 1;
            var name = bucket.Name();
            pairs.Add($"{Key(name)}={written}");
            pairs.Add($"{Key(name + "-max")}={max.ToString(CultureInfo.InvariantCulture)}");
            pairs.Add($"{Key(name + "-max-length")}={length.ToString(CultureInfo.InvariantCulture)}");
        }

        if (random.Next(3) == 0)
        {
            var (key, words) = WordKeys[random.Next(WordKeys.Length)];
            pairs.Add($"{key}={words[random.Next(words.Length)]}");
        }

        var separators = new[] { ",", " ", "\t", ", ", " ,", "  " };
        var spec = new StringBuilder(pairs[0]);
        foreach (var pair in pairs.Skip(1).OrderBy(_ => random.Next()))
        {
            spec.Append(separators[random.Next(separators.Length)]).Append(pair);
        }

        return spec.ToString();
    }

    // The command word in any case: commands are case-insensitive.
    private string Word(string command) => random.Next(4) == 0 ? command.ToUpperInvariant() : command;

    // A path as written (quoted, escaped) and the file it names, for the model.
    private string Path(out string key)
    {
        var written = Paths[random.Next(Paths.Length)];
        key = ((ControlCommand.Unassign)ControlCommand.Parse($"unassign {written}")!).Path;
        return written;
    }

    // Any of a key's names (QEMU, QMP, libvirt, with QEMU's "throttling." prefix), in any case.
    private string Key(string canonical)
    {
        ThrottleKeys.TryFind(canonical, out var key);
        string[] names = [key.Name, .. key.Aliases, "throttling." + key.Name];
        var name = names[random.Next(names.Length)];
        return random.Next(5) == 0 ? name.ToUpperInvariant() : name;
    }

    // A rate and how it is written: a plain number, or for bytes also with a K, M or G suffix.
    private (long Value, string Written) Rate(BucketKind bucket)
    {
        if (random.Next(4) == 0)
        {
            return (0, "0");
        }

        if (bucket.CountsBytes() && random.Next(2) == 0)
        {
            var (count, shift) = (random.Next(1, 1000), 10 * random.Next(1, 4));
            return ((long)count << shift, count.ToString(CultureInfo.InvariantCulture) + "KMG"[(shift / 10) - 1]);
        }

        var value = (long)Math.Pow(10, random.NextDouble() * 12) + 1;
        return (value, value.ToString(CultureInfo.InvariantCulture));
    }
}
