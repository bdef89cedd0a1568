using System.Text;
using System.Text.Json.Nodes;
using ThrottleFs.Qos;

namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// Config documents that must be refused, each a valid document (<see cref="ValidConfigDocuments"/>) broken in one
/// way, with what a refusal must name (any one of <see cref="Hostile.Names"/>): a value of the wrong type or out of
/// range, an unknown key anywhere, limits that break QEMU's rules together, a broken rule, a bad group or file name,
/// deep nesting, a duplicated key, invalid UTF-8 between the tokens, a document cut short; and text that is not a JSON
/// object at all.
/// </summary>
internal sealed class HostileConfigDocuments(Random random)
{
    private static readonly JsonNode?[] NotANumber =
        [new JsonObject(), new JsonObject { ["x"] = 1 }, new JsonArray(), new JsonArray(5), new JsonArray(new JsonArray(1)), true, false, null, "", "fast", -1, "-1K",
         1.5, "1e3", "1000000000000001", 1000000000000001, "9223372036854775808", "-9223372036854775808", "0x10", "\u0661", "5 5", "5,5", "\u0000", "1K5", "iB"];

    private static readonly JsonNode?[] NotAWord = [new JsonObject(), new JsonArray(), 5, true, null, "", "fast", "leaky token", "\u0000"];

    private static readonly string[] NotAGroupName = ["bad name", "ü", "a/b", new string('g', 129), "\u0000", "-\n"];

    private readonly ValidConfigDocuments _valid = new(random);

    /// <summary>The next hostile document.</summary>
    public Hostile Next()
    {
        return random.Next(12) switch
        {
            0 => NotAnObject(),
            1 => Bytes(Truncated()),
            2 => Bytes(InvalidUtf8BetweenTokens()),
            3 => Duplicated(),
            _ => Broken(),
        };
    }

    // A valid document with one part broken.
    private Hostile Broken()
    {
        var document = _valid.Next();
        var limits = LimitObjects(document);
        switch (random.Next(7))
        {
            case 0 when limits.Count > 0:
                var (set, key) = PickLimit(limits);
                ThrottleKeys.TryFind(key, out var known);
                set[key] = Clone(known.Field is ThrottleKeyField.Algorithm or ThrottleKeyField.OnChange or ThrottleKeyField.IopsSizeMode ? Pick(NotAWord) : Pick(NotANumber));
                return Named(document, key, known.Name);
            case 1:
                var (target, unknown) = UnknownKey(document, limits);
                target[unknown] = Pick<JsonNode?>(1, "x", new JsonObject(), new JsonArray());
                return Named(document, unknown);
            case 2 when limits.Count > 0:
                var broken = limits[random.Next(limits.Count)];
                var (first, second) = Pick(("iops-total", "iops-read"), ("bps-total", "bps-write"), ("iops-total-max", "iops-total-max-length"), ("bps-read-max", "bps-read"), ("iops-total-max", "iops-total"));
                broken[first] = first.EndsWith("-max", StringComparison.Ordinal) ? 5 : 100;
                broken[second] = second.EndsWith("-length", StringComparison.Ordinal) ? 0 : second == "iops-total" ? 0 : 1000;
                return Named(document, first, second);
            case 3:
                var rules = Section(document, "rules", () => new JsonArray());
                var rule = new JsonObject();
                var (match, names) = Pick<(JsonNode?, string[])>(("", ["pattern is empty"]), ("[a", ["'[' at position"]), ("{a,b", ["'{' is not closed"]), (new JsonObject(), ["match"]), (null, ["match"]), ("  ", ["pattern is empty"]));
                rule["match"] = match;
                rules.Add(rule);
                return Named(document, [$"rules[{rules.Count - 1}]", .. names]);
            case 4:
                var bad = Pick(NotAGroupName);
                if (random.Next(2) == 0)
                {
                    Section(document, "groups", () => new JsonObject())[bad] = new JsonObject();
                }
                else
                {
                    Section(document, "rules", () => new JsonArray()).Add(new JsonObject { ["match"] = "*.x", ["group"] = bad });
                }

                return Named(document, "not a valid group name", "is not defined");
            case 5:
                var path = Pick("..", "/", "a/../b", "\u0000", new string('n', 256), string.Join('/', Enumerable.Repeat("d", 2100)));
                Section(document, "files", () => new JsonObject())[path] = new JsonObject { ["iops-total"] = 5 };
                return Named(document, "files");
            default:
                var (nestIn, nestedKey) = limits.Count > 0 ? PickLimit(limits) : (document, "algorithm");
                nestIn[nestedKey] = Nested(random.Next(2, 200));
                return Named(document, nestedKey, "not valid JSON");
        }
    }

    // Anything not a JSON object: other JSON values, other formats, random bytes, empty files.
    private Hostile NotAnObject()
    {
        var text = Pick("", " ", "\uFEFF", "null", "[]", "[{}]", "1", "\"{}\"", "true", "{", "}", "{} {}", "{}}", "{\"a\":}", "{'a': 1}", "{a: 1}",
            "algorithm: leaky\n", "[file-limits]\niops-total=5\n", "<config/>", "\u0000{}", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "/* only a comment */", "{/* unclosed }");
        var bytes = random.Next(4) switch
        {
            0 => RandomBytes(),
            1 => Encoding.ASCII.GetBytes(new string([.. Enumerable.Range(0, random.Next(1, 300)).Select(_ => (char)random.Next(0x20, 0x7f))])),
            _ => Encoding.UTF8.GetBytes(text),
        };
        return new Hostile(bytes, bytes.Length > 0 && bytes[0] == (byte)'{' ? null : NotJson);
    }

    // A document cut before its last closing brace.
    private byte[] Truncated()
    {
        var bytes = _valid.Text(_valid.Next());
        return bytes[..random.Next(0, Array.LastIndexOf(bytes, (byte)'}'))];
    }

    // Bytes that are not UTF-8 where JSON has only structure: after a '{', '[', ',' or ':' outside strings.
    private byte[] InvalidUtf8BetweenTokens()
    {
        var bytes = _valid.Text(_valid.Next());
        var text = Encoding.Latin1.GetString(bytes); // one character per byte: the indexes are the bytes'
        var inString = ValidConfigDocuments.InStrings(text);
        var places = Enumerable.Range(0, text.Length).Where(i => !inString[i] && text[i] is '{' or '[' or ',' or ':').Select(i => i + 1).ToList();

        var at = places[random.Next(places.Count)];
        return [.. bytes[..at], .. Pick<byte[]>([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80], [0xfe, 0xff]), .. bytes[at..]];
    }

    // A document with a top-level key given twice (the same, or in another case or spelling).
    private Hostile Duplicated()
    {
        var document = _valid.Next();
        document["algorithm"] = "leaky";
        var text = Encoding.UTF8.GetString(_valid.Text(document));
        var at = text.IndexOf('{', StringComparison.Ordinal) + 1;
        text = text[..at] + $"\"{Pick("algorithm", "ALGORITHM", "Algorithm")}\": \"token\"," + text[at..];
        return new Hostile(Encoding.UTF8.GetBytes(text), ["duplicate key"]);
    }

    // A file that is not UTF-8 is refused for that first, before its JSON is read.
    private static readonly string[] NotJson = ["not valid JSON", "not valid UTF-8", "must be an object"];

    private Hostile Bytes(byte[] bytes) => new(bytes, NotJson);

    private Hostile Named(JsonObject document, params string[] names) => new(_valid.Text(document), names);

    // Every limits object of the document: file-limits, mount-limits, each group, rule and file entry.
    private static List<JsonObject> LimitObjects(JsonObject document) =>
    [
        .. document.Where(section => Canonical(section.Key) is "file-limits" or "mount-limits").Select(section => section.Value).OfType<JsonObject>(),
        .. document.Where(section => Canonical(section.Key) is "groups" or "files").Select(section => section.Value).OfType<JsonObject>().SelectMany(map => map.Select(entry => entry.Value).OfType<JsonObject>()),
        .. document.Where(section => Canonical(section.Key) == "rules").Select(section => section.Value).OfType<JsonArray>().SelectMany(rules => rules.OfType<JsonObject>()),
    ];

    private (JsonObject Set, string Key) PickLimit(List<JsonObject> limits)
    {
        var withKeys = limits.Where(set => set.Any(pair => ThrottleKeys.TryFind(pair.Key, out _))).ToList();
        if (withKeys.Count == 0)
        {
            return (limits[random.Next(limits.Count)], "iops-total");
        }

        var set = withKeys[random.Next(withKeys.Count)];
        var keys = set.Where(pair => ThrottleKeys.TryFind(pair.Key, out _)).Select(pair => pair.Key).ToList();
        return (set, keys[random.Next(keys.Count)]);
    }

    // A key no object at that place knows, in the document, logging, or a limits object.
    private (JsonObject Target, string Key) UnknownKey(JsonObject document, List<JsonObject> limits)
    {
        var key = Pick("iops-totl", "bogus", "match-all", "throttling", "iops_total_maximum", "loging", "rule", "file_limit", "ü", "unknown-" + random.Next(1000));
        return random.Next(3) switch
        {
            0 when limits.Count > 0 => (limits[random.Next(limits.Count)], key),
            1 => (Section(document, "logging", () => new JsonObject()), key),
            _ => (document, key),
        };
    }

    private JsonNode Nested(int depth)
    {
        JsonNode node = random.Next(2) == 0 ? new JsonArray() : new JsonObject();
        for (var i = 1; i < depth; i++)
        {
            node = random.Next(2) == 0 ? new JsonArray(node) : new JsonObject { ["n"] = node };
        }

        return node;
    }

    private byte[] RandomBytes()
    {
        var bytes = new byte[random.Next(0, 400)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static JsonNode? Clone(JsonNode? node) => node?.DeepClone();

    // A section of the document, however it is spelled there; added when it is missing.
    private static T Section<T>(JsonObject document, string name, Func<T> create)
        where T : JsonNode
    {
        var existing = document.FirstOrDefault(section => Canonical(section.Key) == name);
        if (existing.Value is T section)
        {
            return section;
        }

        var added = create();
        document[existing.Key ?? name] = added;
        return added;
    }

    private static string Canonical(string key) => key.ToLowerInvariant().Replace('_', '-');

    private T Pick<T>(params T[] choices) => choices[random.Next(choices.Length)];

    /// <summary>A document to refuse, and the words of which a refusal must name one (null: it need only be refused cleanly, if at all).</summary>
    internal sealed record Hostile(byte[] Bytes, string[]? Names);
}
