using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;
using ThrottleFs.Configuration;
using ThrottleFs.Control;
using ThrottleFs.Statistics;

namespace ThrottleFs.Cli;

/// <summary><c>throttlefs stats MOUNTPOINT [--json] [--watch] [--interval SECONDS] [--control-directory NAME]</c>.</summary>
/// <remarks>
/// Output goes to the invocation's standard output (<see cref="InvocationConfiguration.Output"/>), so a caller can
/// capture it; messages for the user go to the error writer.
/// </remarks>
internal static class StatsCommand
{
    /// <summary>Width a table may take when the output is a file or a pipe, which have none; 80 would wrap most rows.</summary>
    private const int RedirectedWidth = 200;

    private const double DefaultIntervalSeconds = 1;

    /// <summary>Creates the command; problems are reported to <paramref name="error"/>.</summary>
    public static Command Create(TextWriter error)
    {
        var mountPoint = new Argument<string>("MOUNTPOINT")
        {
            Description = "Where the ThrottleFs mount is attached (the MOUNTPOINT given to 'throttlefs mount').",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print the statistics as JSON (camelCase, as the mount serves them in .throttlefs/stats) instead of a " +
                          "table. With --watch, one compact JSON object per line (NDJSON) every interval.",
        };
        var watch = new Option<bool>("--watch", "-w")
        {
            Description = "Refresh every interval until Ctrl-C. Rates are then over the last interval; without --watch they " +
                          "are averages since the mount started. On a terminal the table is redrawn in place; into a file or " +
                          "a pipe a new table is printed each time.",
        };
        var interval = new Option<double>("--interval", "-n")
        {
            Description = "Seconds between refreshes with --watch; fractions allowed (0.5).",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => DefaultIntervalSeconds,
        };
        var controlDirectory = ControlFileFinder.DirectoryOption();
        interval.CustomParser = ParseInterval;
        controlDirectory.Validators.Add(result =>
        {
            if (!ControlDirectoryName.IsValid(result.GetValueOrDefault<string>() ?? ""))
            {
                result.AddError("--control-directory must be a single directory name, such as .throttlefs.");
            }
        });

        var command = new Command(
            "stats",
            "Show what a mount's throttles are doing: for the mount (when it has limits), each group and each open or recently closed file, " +
            "the read and write rates, the limits, the share of requests that waited, the 99th percentile wait, the burst " +
            "time left and the requests waiting now. Reads MOUNTPOINT/.throttlefs/stats; the same numbers are served for " +
            "Prometheus in MOUNTPOINT/.throttlefs/metrics.")
        {
            mountPoint, json, watch, interval, controlDirectory,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(interval) is { Implicit: false } && !result.GetValue(watch))
            {
                result.AddError("--interval needs --watch.");
            }
        });
        command.SetAction((result, cancellationToken) =>
        {
            var request = new Request(
                Path.GetFullPath(result.GetValue(mountPoint)!),
                result.GetValue(controlDirectory)!,
                result.GetValue(json),
                result.GetValue(watch),
                TimeSpan.FromSeconds(result.GetValue(interval)));
            return RunAsync(request, result.InvocationConfiguration.Output, error, cancellationToken);
        });
        return command;
    }

    /// <summary>Seconds, written the same in every locale (0.5, not 0,5), finite and above zero.</summary>
    private static double ParseInterval(ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return DefaultIntervalSeconds;
        }

        var text = result.Tokens[^1].Value;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !double.IsFinite(seconds) || seconds <= 0)
        {
            result.AddError($"--interval must be a positive number of seconds, such as 1 or 0.5, not '{text}'.");
        }

        return seconds;
    }

    private static async Task<int> RunAsync(Request request, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!ControlFileFinder.TryFind(request.MountPoint, ControlFile.Stats, request.ControlDirectory, out var path, out var problem))
        {
            await error.WriteLineAsync($"throttlefs: {problem}");
            return ExitCodes.Failure;
        }

        try
        {
            problem = (request.Json, request.Watch) switch
            {
                (true, false) => await ShowOnceAsync(path, snapshot => output.WriteLine(StatisticsJson.Serialize(snapshot)), cancellationToken),
                (true, true) => await EverySnapshotAsync(path, request.Interval, (_, snapshot) =>
                {
                    output.WriteLine(StatisticsJson.Serialize(snapshot, indented: false));
                    // A consumer at the other end of a pipe wants each line when it is written, not when a buffer fills.
                    output.Flush();
                }, cancellationToken),
                (false, false) => await ShowOnceAsync(path, snapshot => Show(CreateConsole(output), request.MountPoint, null, snapshot), cancellationToken),
                (false, true) => await WatchTableAsync(request, path, CreateConsole(output), cancellationToken),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C is how --watch ends.
            return ExitCodes.Success;
        }

        if (problem is not null)
        {
            await error.WriteLineAsync($"throttlefs: {problem}");
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }

    private static async Task<string?> ShowOnceAsync(string path, Action<MountStatistics> show, CancellationToken cancellationToken)
    {
        var (snapshot, problem) = await ReadAsync(path, cancellationToken);
        if (snapshot is not null)
        {
            show(snapshot);
        }

        return problem;
    }

    private static Task<string?> WatchTableAsync(Request request, string path, IAnsiConsole console, CancellationToken cancellationToken)
    {
        if (!console.Profile.Out.IsTerminal)
        {
            return EverySnapshotAsync(path, request.Interval, (previous, current) =>
            {
                console.Write(View(request.MountPoint, previous, current, console.Profile.Width));
                console.WriteLine();
            }, cancellationToken);
        }

        return console.Live(new Text(""))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .StartAsync(context => EverySnapshotAsync(path, request.Interval, (previous, current) =>
            {
                context.UpdateTarget(View(request.MountPoint, previous, current, console.Profile.Width));
                context.Refresh();
            }, cancellationToken));
    }

    /// <summary>
    /// Reads a snapshot now and then once per interval, handing each to <paramref name="show"/> with the one before it,
    /// until cancelled (an <see cref="OperationCanceledException"/>) or a read fails (its problem is returned).
    /// </summary>
    private static async Task<string?> EverySnapshotAsync(
        string path, TimeSpan interval, Action<MountStatistics?, MountStatistics> show, CancellationToken cancellationToken)
    {
        // A periodic timer keeps the reads on a fixed beat however long each takes; rates use the snapshots' own times anyway.
        using var timer = new PeriodicTimer(interval);
        MountStatistics? previous = null;
        do
        {
            var (current, problem) = await ReadAsync(path, cancellationToken);
            if (current is null)
            {
                return problem;
            }

            show(previous, current);
            previous = current;
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));

        return null;
    }

    private static async Task<(MountStatistics? Snapshot, string? Problem)> ReadAsync(string path, CancellationToken cancellationToken)
    {
        byte[] json;
        try
        {
            json = await ReadToEndAsync(path, cancellationToken);
        }
        catch (UnauthorizedAccessException)
        {
            return (null, $"cannot read '{path}': only the mount's owner and root may read its statistics, unless its config says \"control-readers\": \"everyone\".");
        }
        catch (IOException e)
        {
            return (null, $"cannot read '{path}': {e.Message}");
        }

        try
        {
            return (StatisticsJson.Parse(json), null);
        }
        catch (JsonException e)
        {
            return (null, $"'{path}' does not hold ThrottleFs statistics: {e.Message}");
        }
    }

    /// <summary>
    /// Reads until end of file. A served control file's size may be out of date by the time it is read, so neither
    /// <see cref="File.ReadAllBytes"/> (trusts a nonzero size) nor <see cref="Stream.CopyToAsync(Stream)"/> (reads a byte
    /// at a time from a seekable file that reports 0) will do.
    /// </summary>
    private static async Task<byte[]> ReadToEndAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
        });
        using var content = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await file.ReadAsync(chunk, cancellationToken)) > 0)
        {
            content.Write(chunk, 0, read);
        }

        return content.ToArray();
    }

    /// <summary>A header line (mount point, time, uptime, what the rates are over) above the table.</summary>
    private static void Show(IAnsiConsole console, string mountPoint, MountStatistics? previous, MountStatistics current) =>
        console.Write(View(mountPoint, previous, current, console.Profile.Width));

    private static Rows View(string mountPoint, MountStatistics? previous, MountStatistics current, int width)
    {
        var baseline = StatsTable.Baseline(previous, current);
        var rates = baseline is null
            ? "rates averaged since the mount started"
            : "rates over the last " + (current.Time - baseline.Time).TotalSeconds.ToString("0.0#", CultureInfo.InvariantCulture) + " s";
        var header = $"ThrottleFs at {mountPoint}  ·  {current.Time.ToLocalTime():yyyy-MM-dd HH:mm:ss}  ·  " +
                     $"up {HumanUnits.Duration(current.UptimeSeconds)}  ·  {rates}";
        return new Rows([
            new Text(header, new Style(decoration: Decoration.Bold)),
            StatsTable.Build(StatsTable.Rows(previous, current), width),
            .. StatsTable.ClusterLines(current).Select(line => new Text(line))]);
    }

    private static IAnsiConsole CreateConsole(TextWriter output)
    {
        var consoleOutput = new AnsiConsoleOutput(output);
        if (consoleOutput.IsTerminal)
        {
            return AnsiConsole.Create(new AnsiConsoleSettings { Out = consoleOutput });
        }

        // A file or a pipe gets plain text: no colours, no cursor movement, no wrapping at a width it does not have.
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = consoleOutput,
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = RedirectedWidth;
        return console;
    }

    private sealed record Request(string MountPoint, string ControlDirectory, bool Json, bool Watch, TimeSpan Interval);
}
