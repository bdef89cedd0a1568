using System.Text.Json;

namespace ThrottleFs.Configuration;

/// <summary>
/// What the configuration layer cannot see in a config file: that it is UTF-8 (its reader would turn a bad byte into
/// U+FFFD, and a Latin-1 file name would silently match nothing), and that each section has the JSON type it must (it
/// would take <c>"mount-limits": "400M"</c> as no section at all, and a list of groups as groups named 0, 1, ...).
/// Checked on the file's bytes before they are read as settings; a file that is not JSON at all is left to the reader,
/// which says where it breaks.
/// </summary>
internal static class ConfigShape
{
    private const string Limits = "an object of limits such as { \"iops-total\": 100 }";

    /// <summary>Every problem of shape in <paramref name="bytes"/>, each naming the file and the section.</summary>
    public static List<string> Check(byte[] bytes, string path)
    {
        var problems = new List<string>();
        var text = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes.AsSpan(3) : bytes.AsSpan();
        if (System.Text.Unicode.Utf8.ToUtf16(text, new char[text.Length], out var read, out _, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
        {
            problems.Add($"{path}: not valid UTF-8 at byte {read + 1}: save the file as UTF-8, and write a file name's bytes that are not UTF-8 as \\\\xHH");
            return problems;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException)
        {
            return problems; // the reader reports it, with the line and column
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{path}: must be an object of settings ({{ \"file-limits\": {{ ... }} }}), not {Kind(document.RootElement)}");
                return problems;
            }

            foreach (var section in document.RootElement.EnumerateObject())
            {
                var name = Canonical(section.Name);
                switch (name)
                {
                    case "algorithm" or "on-change" or "control-directory" or "control-readers" or "metrics-listen":
                        Expect(section.Value, JsonValueKind.String, section.Name, "a string", problems);
                        break;
                    case "cluster":
                        if (Expect(section.Value, JsonValueKind.Object, section.Name, "an object such as { \"redis\": \"127.0.0.1:6379\" }", problems))
                        {
                            foreach (var setting in section.Value.EnumerateObject().Where(setting => setting.Value.ValueKind != JsonValueKind.String))
                            {
                                problems.Add($"{section.Name}.{setting.Name}: must be a string, not {Kind(setting.Value)}");
                            }
                        }

                        break;
                    case "logging":
                        if (Expect(section.Value, JsonValueKind.Object, section.Name, "an object such as { \"level\": \"Information\" }", problems))
                        {
                            foreach (var setting in section.Value.EnumerateObject())
                            {
                                if (setting.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                                {
                                    problems.Add($"{section.Name}.{setting.Name}: must be a string, not {Kind(setting.Value)}");
                                }
                            }
                        }

                        break;
                    case "file-limits" or "mount-limits":
                        LimitsIn(section.Value, section.Name, problems);
                        break;
                    case "groups" or "files":
                        if (Expect(section.Value, JsonValueKind.Object, section.Name, $"an object of {(name == "groups" ? "NAME" : "PATH")}: limits", problems))
                        {
                            foreach (var entry in section.Value.EnumerateObject())
                            {
                                LimitsIn(entry.Value, $"{section.Name}.{entry.Name}", problems);
                            }
                        }

                        break;
                    case "rules":
                        if (Expect(section.Value, JsonValueKind.Array, section.Name, "a list of rules such as [ { \"match\": \"*.qcow2\", \"iops-total\": 100 } ]", problems))
                        {
                            var index = 0;
                            foreach (var rule in section.Value.EnumerateArray())
                            {
                                LimitsIn(rule, $"{section.Name}[{index++}]", problems);
                            }
                        }

                        break;
                }
            }
        }

        return [.. problems.Select(problem => $"{path}: {problem}")];
    }

    private static void LimitsIn(JsonElement element, string where, List<string> problems)
    {
        if (!Expect(element, JsonValueKind.Object, where, Limits, problems))
        {
            return;
        }

        foreach (var key in element.EnumerateObject())
        {
            if (key.Value.ValueKind is not (JsonValueKind.Number or JsonValueKind.String))
            {
                problems.Add($"{where}.{key.Name}: must be a number or a string such as \"10M\", not {Kind(key.Value)}");
            }
        }
    }

    private static bool Expect(JsonElement element, JsonValueKind kind, string where, string what, List<string> problems)
    {
        if (element.ValueKind == kind)
        {
            return true;
        }

        problems.Add($"{where}: must be {what}, not {Kind(element)}");
        return false;
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the string {element.GetRawText()}",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => "null",
    };

    private static string Canonical(string key) => key.ToLowerInvariant().Replace('_', '-');
}
