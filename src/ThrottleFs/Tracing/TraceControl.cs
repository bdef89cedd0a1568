using ThrottleFs.Configuration;
using ThrottleFs.Qos;

namespace ThrottleFs.Tracing;

/// <summary>
/// A control line that starts or stops the mount's trace:
/// <code>
/// trace start FILE [duration=10m] [files=GLOB]   record reads and writes into FILE (an absolute path)
/// trace stop                                     finish the trace file
/// </code>
/// FILE is written by the daemon, as the user that mounted. <c>files=</c> takes a path pattern as config rules do
/// (<c>*.qcow2</c>, <c>images/**</c>); <c>duration=</c> a duration (<c>90s</c>, <c>10m</c>, <c>2h</c>).
/// </summary>
internal abstract record TraceControl
{
    /// <summary>The usage, for error messages.</summary>
    public const string Usage = "trace start FILE [duration=10m] [files=GLOB] | trace stop";

    /// <summary>
    /// Parses a control line that begins with <c>trace</c>; returns false for any other line.
    /// </summary>
    /// <exception cref="ConfigException">The line is a trace command with a problem; the message names it.</exception>
    public static bool TryParse(string line, out TraceControl? command)
    {
        command = null;
        if (!line.TrimStart().StartsWith("trace", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var words = ControlCommand.Split(line);
        if (words.Count == 0 || !words[0].Equals("trace", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        command = words.Count >= 2 ? words[1].ToLowerInvariant() switch
        {
            "stop" when words.Count == 2 => new Stop(),
            "start" when words.Count >= 3 => ParseStart(words),
            _ => null,
        } : null;
        return command is not null ? true : throw new ConfigException($"'{line.Trim()}' is not a trace command ({Usage})");
    }

    private static Start ParseStart(List<string> words)
    {
        var output = words[2];
        if (!Path.IsPathFullyQualified(output))
        {
            throw new ConfigException($"trace file '{output}' must be an absolute path (the daemon's working directory is not yours)");
        }

        long? duration = null;
        PathGlob? files = null;
        foreach (var option in words.Skip(3))
        {
            var (key, value) = option.IndexOf('=') is var equals and > 0 ? (option[..equals].ToLowerInvariant(), option[(equals + 1)..]) : (option, "");
            switch (key)
            {
                case "duration":
                    duration = Duration.TryParse(value, out var ns) && ns > 0
                        ? ns
                        : throw new ConfigException($"trace duration '{value}' is not a duration above zero (90s, 10m, 2h)");
                    break;
                case "files":
                    try
                    {
                        files = PathGlob.Parse(value);
                    }
                    catch (FormatException e)
                    {
                        throw new ConfigException($"trace files '{value}': {e.Message}");
                    }

                    break;
                default:
                    throw new ConfigException($"'{option}' is not a trace option (duration=, files=)");
            }
        }

        return new Start(output, duration, files);
    }

    /// <summary><c>trace start FILE [duration=D] [files=GLOB]</c>; the duration in nanoseconds.</summary>
    public sealed record Start(string Output, long? DurationNs, PathGlob? Files) : TraceControl;

    /// <summary><c>trace stop</c>.</summary>
    public sealed record Stop : TraceControl;
}
