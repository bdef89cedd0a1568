using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ThrottleFs.Configuration;
using ThrottleFs.Control;

namespace ThrottleFs.Cli;

/// <summary>
/// <c>throttlefs trace MOUNTPOINT --output FILE [--duration D] [--files GLOB]</c>: records a workload's reads and
/// writes through a running mount (the control lines <c>trace start</c> and <c>trace stop</c>), showing the count as
/// it goes, until the duration is up or Ctrl-C.
/// </summary>
internal static partial class TraceCommand
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);

    public static Command Create(TextWriter output, TextWriter error)
    {
        var mountPoint = new Argument<string>("MOUNTPOINT") { Description = "A ThrottleFs mount." };
        var file = new Option<string>("--output", "-o")
        {
            Description = "The trace file to write (created or replaced): fio's iolog version 3, which 'throttlefs simulate' and 'fio --read_iolog' read.",
            HelpName = "FILE",
            Required = true,
        };
        var duration = new Option<string?>("--duration", "-d")
        {
            Description = "Stop after this long (90s, 10m, 2h); without it, trace until Ctrl-C. The mount stops the trace by itself at the end, even if this command is killed.",
            HelpName = "DURATION",
        };
        var files = new Option<string?>("--files")
        {
            Description = "Trace only files matching this pattern, relative to the mount root, as config rules write them: '*.qcow2', 'images/**'.",
            HelpName = "GLOB",
        };
        var controlDirectory = ControlFileFinder.DirectoryOption();
        var command = new Command(
            "trace",
            "Record every read and write that reaches a mount's throttle: when it arrived, the file, offset and length, how long it " +
            "waited for its buckets and how long the backing store took. The file is fio's iolog version 3 (with two columns of ours " +
            "that fio skips), so 'fio --read_iolog=FILE' run in the mount's root replays it, and 'throttlefs simulate FILE --limit SPEC' " +
            "tells what other limits would have done to it. Tracing costs the I/O almost nothing; if the trace file cannot keep up, " +
            "records are dropped and counted, never the I/O slowed. Exit code 0: traced; 2: refused (the reason is printed); 1: not a ThrottleFs mount.")
        {
            mountPoint, file, duration, files, controlDirectory,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var point = Path.TrimEndingDirectorySeparator(Path.GetFullPath(result.GetValue(mountPoint)!));
            if (!ControlFileFinder.TryFind(point, ControlFile.Control, result.GetValue(controlDirectory)!, out var control, out var problem))
            {
                error.WriteLine($"throttlefs: {problem}");
                return ExitCodes.Failure;
            }

            var trace = Path.GetFullPath(result.GetValue(file)!);
            if (trace == point || trace.StartsWith(point + "/", StringComparison.Ordinal))
            {
                error.WriteLine($"throttlefs: the trace file {trace} is inside the mount, where its own writes would be traced; write it outside {point}.");
                return ExitCodes.Usage;
            }

            var line = new StringBuilder("trace start ").Append(ControlCommand.Quote(trace));
            if (result.GetValue(duration) is { } given)
            {
                line.Append(" duration=").Append(given);
            }

            if (result.GetValue(files) is { } pattern)
            {
                line.Append(' ').Append(ControlCommand.Quote("files=" + pattern));
            }

            var status = Path.Combine(Path.GetDirectoryName(control)!, ControlFile.Trace.Name());
            if (!Send(control, line.ToString(), error))
            {
                return ExitCodes.Usage;
            }

            error.WriteLine($"throttlefs: tracing {point} into {trace}" +
                            (result.GetValue(duration) is { } d ? $" for {d}" : "") + "; Ctrl-C stops it.");
            var counts = await Follow(status, error, cancellationToken);
            if (cancellationToken.IsCancellationRequested)
            {
                Send(control, "trace stop", error);
            }

            var last = File.ReadAllText(status).Trim();
            output.WriteLine($"throttlefs: {(last.StartsWith("not tracing; ", StringComparison.Ordinal) ? last["not tracing; ".Length..] : last)}");
            output.WriteLine($"throttlefs: what would other limits do to it? throttlefs simulate {trace} --limit iops-total=500 --limit iops-total=1000");
            return counts.Failed ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }

    // Shows the count every second (in place on a terminal) until the trace is over or Ctrl-C.
    private static async Task<(long Written, bool Failed)> Follow(string status, TextWriter error, CancellationToken cancellationToken)
    {
        var terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        long written = 0, before = 0;
        var failed = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Refresh, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var text = File.ReadAllText(status);
            if (Counts().Match(text) is { Success: true } match)
            {
                written = long.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
                var line = string.Create(CultureInfo.InvariantCulture, $"  {written:N0} requests written ({(written - before) / Refresh.TotalSeconds:N0}/s), {match.Groups[2].Value} dropped");
                before = written;
                if (terminal)
                {
                    error.Write("\r" + line.PadRight(60));
                }
            }

            failed = text.Contains("writing failed", StringComparison.Ordinal);
            if (text.StartsWith("not tracing", StringComparison.Ordinal))
            {
                break;
            }
        }

        if (terminal)
        {
            error.WriteLine();
        }

        return (written, failed);
    }

    // One write of one line; a refused line fails the write, and errors says why.
    private static bool Send(string control, string line, TextWriter error)
    {
        try
        {
            using var stream = new FileStream(control, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
            stream.Write(Encoding.UTF8.GetBytes(line + "\n"));
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            error.WriteLine($"throttlefs: only the mount's owner or root may trace it ({control}: permission denied).");
            return false;
        }
        catch (IOException e)
        {
            var errors = Path.Combine(Path.GetDirectoryName(control)!, ControlFile.Errors.Name());
            var reason = File.Exists(errors) ? SetCommand.LastEntry(File.ReadAllText(errors)) : e.Message;
            error.WriteLine($"throttlefs: refused:\n{reason.TrimEnd()}");
            return false;
        }
    }

    [GeneratedRegex(@"(\d+) requests written, (\d+) dropped")]
    private static partial Regex Counts();
}
