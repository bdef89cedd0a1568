using System.Text;
using System.Text.Json.Nodes;
using ThrottleFs.Configuration;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;

namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// Config documents that must load: every section, with limits that keep QEMU's rules (a burst never below its rate,
/// totals never with read/write limits, <c>iops-size</c> only beside an iops limit), keys under any of their names and
/// spellings (QEMU, QMP, libvirt, any case, <c>_</c> for <c>-</c>), group names and rule patterns of every allowed
/// shape, file entries with blanks, backslashes and <c>\xHH</c> bytes. Written with the liberties the format allows:
/// comments, trailing commas, a byte order mark.
/// </summary>
internal sealed class ValidConfigDocuments(Random random)
{
    private static readonly string[] Patterns =
        ["images/*.qcow2", "*.log", "scratch/**", "**/*.img", "/vm1.img", "disk?.raw", "[abc]*.img", "[!x]y", "*.{qcow2,raw}", "a/**/b", "ü*", "a b.img", "\\xff*"];

    private static readonly string[] GroupNames = ["vms", "g1", "a.b-c_d", "G", "0", "x"];
    private static readonly string[] FilePaths = ["images/db.qcow2", "/a.img", "./b.img", "my disk.img", "\\xff.img", "back\\\\slash.img", "caf\\xc3\\xa9.img", "d/e/f"];

    // Whether this document's limit sets use read and write limits rather than totals, for bytes and for operations:
    // rules and file entries change file-limits, so they must all agree.
    private (bool Bytes, bool Iops) _split;

    /// <summary>A document as a tree; <see cref="Text"/> writes it out.</summary>
    public JsonObject Next()
    {
        _split = (random.Next(2) == 0, random.Next(2) == 0);
        var groups = new JsonObject();
        foreach (var name in GroupNames.Where(_ => random.Next(3) == 0))
        {
            groups[name] = Limits(bytes: random.Next(2) == 0, iops: random.Next(2) == 0);
        }

        var document = new JsonObject();
        Maybe(document, "algorithm", () => Pick("leaky", "token", "LEAKY"));
        Maybe(document, "on-change", () => Pick("keep", "reset"));
        Maybe(document, "control-directory", () => Pick(".throttlefs", ".tfs", "control dir", "ü"));
        Maybe(document, "control-readers", () => Pick("owner", "everyone", "Everyone"));
        Maybe(document, "logging", () => new JsonObject { [Spell("level")] = Pick("Verbose", "debug", "Information", "Warning", "Error", "Fatal") });
        Maybe(document, "file-limits", () => Limits(bytes: random.Next(2) == 0, iops: true));
        Maybe(document, "mount-limits", () => Limits(bytes: random.Next(2) == 0, iops: random.Next(2) == 0));
        if (groups.Count > 0 || random.Next(2) == 0)
        {
            document[Spell("groups")] = groups; // rules and files name these groups
        }

        Maybe(document, "rules", () => new JsonArray([.. Enumerable.Range(0, random.Next(0, 5)).Select(_ => (JsonNode)Rule(groups))]));
        Maybe(document, "files", () =>
        {
            var files = new JsonObject();
            // Two spellings of one file are one entry: keep one of each.
            foreach (var path in FilePaths.Where(_ => random.Next(3) == 0).DistinctBy(path => MountPath.Normalize(PathText.Unescape(path))))
            {
                var entry = Limits(bytes: random.Next(2) == 0, iops: random.Next(2) == 0);
                if (groups.Count > 0 && random.Next(2) == 0)
                {
                    entry[Pick("group", "group_name")] = Pick<string>([.. groups.Select(group => group.Key), ""]);
                }

                files[path] = entry;
            }

            return files;
        });
        return document;
    }

    /// <summary>The document as a file holds it: indented or not, maybe with comments, trailing commas and a byte order mark.</summary>
    public byte[] Text(JsonObject document)
    {
        var text = document.ToJsonString(new() { WriteIndented = random.Next(2) == 0, MaxDepth = 4096 });
        var (comments, commas) = (random.Next(3) == 0, random.Next(3) == 0);
        var written = new StringBuilder(comments ? "// a comment\n/* and another */" : "");
        var inString = InStrings(text);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!inString[i] && commas && c is '}' or ']' && LastNonBlank(written) is not ('{' or '[' or ','))
            {
                written.Append(',');
            }

            written.Append(c);
            if (!inString[i] && comments && c is '{' or '[')
            {
                written.Append(" /* c */ ");
            }
        }

        var bytes = Encoding.UTF8.GetBytes(written.ToString());
        return random.Next(5) == 0 ? [0xEF, 0xBB, 0xBF, .. bytes] : bytes;
    }

    /// <summary>For each character of JSON text, whether it is part of a string (its quotes included).</summary>
    public static bool[] InStrings(string text)
    {
        var flags = new bool[text.Length];
        var (inString, escaped) = (false, false);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var closes = inString && c == '"' && !escaped;
            escaped = inString && !escaped && c == '\\';
            flags[i] = inString || c == '"';
            inString = closes ? false : inString || c == '"';
        }

        return flags;
    }

    // The last character written that is not a blank and not in a comment.
    private static char LastNonBlank(StringBuilder text)
    {
        var end = text.Length;
        while (true)
        {
            while (end > 0 && char.IsWhiteSpace(text[end - 1]))
            {
                end--;
            }

            if (end >= 2 && text[end - 1] == '/' && text[end - 2] == '*')
            {
                end = text.ToString(0, end - 2).LastIndexOf("/*", StringComparison.Ordinal);
                continue;
            }

            return end > 0 ? text[end - 1] : '\0';
        }
    }

    /// <summary>A limits object that keeps QEMU's rules: per bucket kind a total or read/write limits, each rate with or without a burst.</summary>
    public JsonObject Limits(bool bytes, bool iops)
    {
        var limits = new JsonObject();
        foreach (var (wanted, split, total, read, write) in new[]
        {
            (bytes, _split.Bytes, BucketKind.BpsTotal, BucketKind.BpsRead, BucketKind.BpsWrite),
            (iops, _split.Iops, BucketKind.IopsTotal, BucketKind.IopsRead, BucketKind.IopsWrite),
        })
        {
            if (wanted)
            {
                foreach (var kind in split ? new[] { read, write } : [total])
                {
                    Bucket(limits, kind);
                }
            }
        }

        if (iops && random.Next(3) == 0)
        {
            limits[Name("iops-size")] = Pick<JsonNode>(4096, "4K", "64k", 512);
        }

        if (random.Next(4) == 0)
        {
            var (key, words) = Pick(("algorithm", new[] { "leaky", "token" }), ("on-change", ["keep", "reset"]), ("iops-size-mode", ["fraction", "round-up"]));
            limits[Name(key)] = Pick(words);
        }

        return limits;
    }

    private void Bucket(JsonObject limits, BucketKind kind)
    {
        var rate = (long)Math.Pow(10, random.NextDouble() * 9) + 1;
        limits[Name(kind.Name())] = kind.CountsBytes() && random.Next(2) == 0 ? $"{rate % 1000 + 1}{Pick("K", "M", "G", "KiB", "kb")}" : rate;
        if (random.Next(2) == 0)
        {
            var max = (long)2e12 + random.Next(1000); // above any rate written here, suffixes included
            limits[Name(kind.Name() + "-max")] = max;
            limits[Name(kind.Name() + "-max-length")] = random.Next(1, 400);
        }
    }

    private JsonObject Rule(JsonObject groups)
    {
        var rule = Limits(bytes: random.Next(2) == 0, iops: random.Next(2) == 0);
        rule[Spell("match")] = Patterns[random.Next(Patterns.Length)];
        if (random.Next(2) == 0)
        {
            rule[Pick("group", "group-name", "GROUP")] = groups.Count > 0 && random.Next(4) > 0 ? groups.ElementAt(random.Next(groups.Count)).Key : "";
        }

        return rule;
    }

    // Any name of a limit key, spelled any way the config takes.
    private string Name(string canonical)
    {
        ThrottleKeys.TryFind(canonical, out var key);
        return Spell(Pick([key.Name, .. key.Aliases, "throttling." + key.Name]));
    }

    // Keys are case-insensitive, and '_' stands for '-'.
    private string Spell(string name) => random.Next(4) switch
    {
        0 => name.ToUpperInvariant(),
        1 => name.Replace('-', '_'),
        _ => name,
    };

    private void Maybe(JsonObject document, string section, Func<JsonNode> value)
    {
        if (random.Next(4) > 0)
        {
            document[Spell(section)] = value();
        }
    }

    private T Pick<T>(params T[] choices) => choices[random.Next(choices.Length)];
}
