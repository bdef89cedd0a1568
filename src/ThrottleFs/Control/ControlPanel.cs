using System.Text;
using Serilog;
using ThrottleFs.Configuration;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;
using ThrottleFs.Statistics;
using ThrottleFs.Throttling;
using ThrottleFs.Tracing;

namespace ThrottleFs.Control;

/// <summary>
/// What the control directory, the per-file extended attributes and the config watcher do to a running mount, apart
/// from how they are reached: commands applied line by line, refusals recorded where a user can read them, the
/// effective configuration and statistics rendered, config reloads applied whole or not at all.
/// </summary>
internal sealed class ControlPanel(ThrottlePolicy policy, ILogger log, uint ownerUid)
{
    /// <summary>The limits and their layers.</summary>
    public ThrottlePolicy Policy { get; } = policy;

    /// <summary>Recent refusals.</summary>
    public ErrorLog Errors { get; } = new(policy.Time);

    /// <summary>Recent accepted changes and their outcome.</summary>
    public ChangeLog Changes { get; } = new(policy.Time);

    /// <summary>The mount's trace switch (<c>trace start</c>, <c>trace stop</c>).</summary>
    public IoTracer Tracer { get; } = new(policy.Time, log);

    /// <summary>The user the mount belongs to: they (and root) may change limits.</summary>
    public uint OwnerUid { get; } = ownerUid;

    /// <summary>Whether <paramref name="uid"/> may change limits.</summary>
    public bool MayChange(uint uid) => uid == 0 || uid == OwnerUid;

    /// <summary>A control file's content now.</summary>
    public byte[] Render(ControlFile file) => file switch
    {
        ControlFile.Control => Encoding.UTF8.GetBytes(ConfigJson.Write(Policy.Limits) + "\n"),
        ControlFile.Errors => Encoding.UTF8.GetBytes(Errors.ToString()),
        ControlFile.Stats => StatisticsJson.SerializeToUtf8Bytes(Policy.GetStatistics()),
        ControlFile.Metrics => Encoding.UTF8.GetBytes(PrometheusFormat.Render(Policy.GetStatistics())),
        ControlFile.Changes => Encoding.UTF8.GetBytes(Changes.ToString()),
        _ => Encoding.UTF8.GetBytes(Tracer.Status()),
    };

    /// <summary>
    /// Runs the commands in <paramref name="text"/>, one per line, in order. Each line is applied whole or refused;
    /// the first refused line stops the rest. Returns false when a line was refused (its reason is in <see cref="Errors"/>
    /// and the log).
    /// </summary>
    public bool Execute(string text, string who)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            try
            {
                if (TraceControl.TryParse(line, out var trace))
                {
                    Tracer.Execute(trace!, who);
                }
                else if (ControlCommand.Parse(line) is { } command)
                {
                    Changes.Add(Bounded(line.Trim()), who, Policy.Apply(command, who));
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                var rest = lines.Skip(i + 1).Count(l => l.Trim().Length > 0);
                Refuse($"control line '{line.Trim()}'", who, Reasons(e), rest == 0 ? null : $"{rest} line(s) after it were not applied");
                return false;
            }
        }

        return true;
    }

    /// <summary>Re-reads the config; on any problem, records it and keeps the limits in force.</summary>
    public bool Reload(ConfigSource source)
    {
        try
        {
            Policy.Reload(source.Load(), source.FilePath);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Refuse($"the edit of {source.FilePath} (the previous limits stay in force)", "config watcher", Reasons(e));
            return false;
        }
    }

    /// <summary>
    /// <c>user.throttlefs.limits</c>: the chain a file's requests pass, one layer per line
    /// (<c>file iops-total=100</c>, <c>group vms iops-total=500</c>, <c>mount bps-total=200M</c>).
    /// </summary>
    public string DescribeChain(string path)
    {
        var limits = Policy.Limits;
        var (own, group) = limits.ForFile(path);
        var text = new StringBuilder();
        text.Append("file ").Append(own.Summary).Append('\n');
        if (group is not null)
        {
            text.Append("group ").Append(group).Append(' ').Append(limits.Groups[group].Summary).Append('\n');
        }

        text.Append("mount ").Append(limits.Mount.Summary).Append('\n');
        return text.ToString();
    }

    /// <summary><c>user.throttlefs.stats</c>: a file's statistics as JSON; empty braces when it has no throttle state.</summary>
    public string DescribeStatistics(string path) =>
        Policy.GetStatistics(path) is { } statistics ? StatisticsJson.Serialize(statistics) : "{}";

    /// <summary>Sets a file's own limits (<c>setfattr -n user.throttlefs.limits -v SPEC</c>).</summary>
    public bool SetFileLimits(string path, string spec, string who)
    {
        try
        {
            var command = new ControlCommand.SetFile(path, ThrottleSpec.Parse(spec));
            Changes.Add(Bounded(command.ToString()), who, Policy.Apply(command, who));
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Refuse($"user.throttlefs.limits '{spec}' on {path}", who, Reasons(e));
            return false;
        }
    }

    /// <summary>Drops a file's live changes (<c>setfattr -x user.throttlefs.limits</c>).</summary>
    public void ClearFile(string path, string who)
    {
        var command = new ControlCommand.ClearFile(path);
        Changes.Add(Bounded(command.ToString()), who, Policy.Apply(command, who));
    }

    /// <summary>Records a refused change to a file where the user reads refusals.</summary>
    /// <remarks>
    /// What was refused and why quote the user's input: they are written escaped (a line break in a word cannot start a
    /// forged entry) and bounded (a 64 KiB line of bad words does not become a megabyte of reasons).
    /// </remarks>
    public void Refuse(string what, string who, IReadOnlyList<string> reasons, string? afterwards = null)
    {
        what = Bounded(what);
        List<string> kept = [.. reasons.Take(MaxReasons).Select(Bounded)];
        if (reasons.Count > MaxReasons)
        {
            kept.Add($"and {reasons.Count - MaxReasons} more");
        }

        if (afterwards is not null)
        {
            kept.Add(afterwards);
        }

        Errors.Add(what, who, kept);
        log.Error("Refused {What} from {Who}: {Reasons}", what, who, string.Join("; ", kept));
    }

    // Refusals name their reasons. Anything else thrown is a bug of ours: the change is refused all the same, so the
    // limits in force stay whole and the daemon serves on, and the reason says so.
    private IReadOnlyList<string> Reasons(Exception e)
    {
        if (e is ConfigException config)
        {
            return config.Errors;
        }

        if (e is ThrottleConfigException limits)
        {
            return limits.Errors;
        }

        log.Error(e, "Unexpected failure while applying a change");
        return [$"ThrottleFs failed on it ({e.GetType().Name}: {e.Message}); this is a bug, please report it with this line"];
    }

    private const int MaxReasons = 10;
    private const int MaxQuote = 300;

    private static string Bounded(string text)
    {
        var escaped = PathText.Escape(text);
        return escaped.Length <= MaxQuote ? escaped : $"{escaped[..(MaxQuote / 2)]}…({escaped.Length - MaxQuote} more characters)…{escaped[^(MaxQuote / 2)..]}";
    }
}
