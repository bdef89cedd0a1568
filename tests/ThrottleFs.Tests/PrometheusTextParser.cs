using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ThrottleFs.Tests;

/// <summary>
/// A strict reader of the Prometheus text format 0.0.4, stricter than Prometheus itself so that anything sloppy in
/// our output fails a test: every line ends in <c>\n</c> (no <c>\r</c>, no blank lines); each family has exactly one
/// <c># HELP</c> followed by one <c># TYPE</c> (counter or gauge) before its samples; counters, and only counters, end
/// in <c>_total</c>; every sample is <c>name{label="value",...} value</c> (no timestamp) of the family declared last;
/// label values use only the escapes <c>\\</c>, <c>\"</c> and <c>\n</c>; no series appears twice.
/// </summary>
internal static partial class PrometheusTextParser
{
    public sealed record Family(string Name, string Type, string Help, List<Sample> Samples);

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    /// <exception cref="FormatException">The text breaks a rule; the message names the line.</exception>
    public static IReadOnlyList<Family> Parse(string text)
    {
        if (text.Length == 0 || text[^1] != '\n')
        {
            throw new FormatException("The text must end with a line feed.");
        }

        if (text.Contains('\r', StringComparison.Ordinal))
        {
            throw new FormatException("Lines must end in \\n alone.");
        }

        var families = new List<Family>();
        var series = new HashSet<string>(StringComparer.Ordinal);
        var lines = text[..^1].Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var number = i + 1;
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var rest = line["# HELP ".Length..];
                var space = rest.IndexOf(' ', StringComparison.Ordinal);
                var name = space < 0 ? rest : rest[..space];
                var help = space < 0 ? "" : UnescapeHelp(rest[(space + 1)..], number);
                RequireMetricName(name, number);
                if (families.Any(f => f.Name == name))
                {
                    throw new FormatException($"Line {number}: second HELP for {name}.");
                }

                if (i + 1 >= lines.Length || !TypeLine().IsMatch(lines[i + 1]))
                {
                    throw new FormatException($"Line {number}: HELP for {name} is not followed by its TYPE line.");
                }

                var type = TypeLine().Match(lines[++i]);
                if (type.Groups["name"].Value != name)
                {
                    throw new FormatException($"Line {i + 1}: TYPE names {type.Groups["name"].Value}, HELP named {name}.");
                }

                var kind = type.Groups["type"].Value;
                if (kind == "counter" != name.EndsWith("_total", StringComparison.Ordinal))
                {
                    throw new FormatException($"Line {i + 1}: {name} is a {kind}; counters and only counters end in _total.");
                }

                families.Add(new Family(name, kind, help, []));
            }
            else if (line.StartsWith('#'))
            {
                throw new FormatException($"Line {number}: a TYPE without HELP, or a comment: '{line}'.");
            }
            else
            {
                var sample = ParseSample(line, number);
                if (families.Count == 0 || families[^1].Name != sample.Name)
                {
                    throw new FormatException($"Line {number}: sample of {sample.Name} outside its family (HELP and TYPE first, samples together).");
                }

                var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
                if (!series.Add(key))
                {
                    throw new FormatException($"Line {number}: series {key} appears twice.");
                }

                families[^1].Samples.Add(sample);
            }
        }

        return families;
    }

    private static Sample ParseSample(string line, int number)
    {
        var position = 0;
        while (position < line.Length && line[position] is not ('{' or ' '))
        {
            position++;
        }

        var name = line[..position];
        RequireMetricName(name, number);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (position < line.Length && line[position] == '{')
        {
            position++;
            while (true)
            {
                var start = position;
                while (position < line.Length && line[position] != '=')
                {
                    position++;
                }

                var label = line[start..position];
                if (!LabelName().IsMatch(label) || position + 1 >= line.Length || line[position + 1] != '"')
                {
                    throw new FormatException($"Line {number}: bad label '{label}'.");
                }

                position += 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (position >= line.Length)
                    {
                        throw new FormatException($"Line {number}: unterminated label value.");
                    }

                    var c = line[position++];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\')
                    {
                        var escaped = position < line.Length ? line[position++] : '\0';
                        value.Append(escaped switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"Line {number}: unknown escape \\{escaped}."),
                        });
                    }
                    else
                    {
                        value.Append(c);
                    }
                }

                if (!labels.TryAdd(label, value.ToString()))
                {
                    throw new FormatException($"Line {number}: label {label} twice.");
                }

                if (position < line.Length && line[position] == ',')
                {
                    position++;
                    continue;
                }

                if (position < line.Length && line[position] == '}')
                {
                    position++;
                    break;
                }

                throw new FormatException($"Line {number}: expected ',' or '}}' after a label.");
            }
        }

        if (position >= line.Length || line[position] != ' ')
        {
            throw new FormatException($"Line {number}: expected one space before the value.");
        }

        return new Sample(name, labels, ParseValue(line[(position + 1)..], number));
    }

    private static double ParseValue(string text, int number) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ when Number().IsMatch(text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => throw new FormatException($"Line {number}: '{text}' is not a sample value (or has a timestamp)."),
    };

    private static string UnescapeHelp(string help, int number)
    {
        var text = new StringBuilder();
        for (var i = 0; i < help.Length; i++)
        {
            if (help[i] != '\\')
            {
                text.Append(help[i]);
                continue;
            }

            text.Append(++i < help.Length ? help[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                _ => throw new FormatException($"Line {number}: unknown escape in HELP."),
            } : throw new FormatException($"Line {number}: HELP ends in a backslash."));
        }

        return text.ToString();
    }

    private static void RequireMetricName(string name, int number)
    {
        if (!MetricName().IsMatch(name))
        {
            throw new FormatException($"Line {number}: '{name}' is not a metric name.");
        }
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    [GeneratedRegex("^# TYPE (?<name>[^ ]+) (?<type>counter|gauge)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")]
    private static partial Regex Number();
}
