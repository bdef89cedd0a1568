using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ThrottleFs.Configuration;
using ThrottleFs.Qos;
using ThrottleFs.Simulation;

namespace ThrottleFs.Cli;

/// <summary>
/// <c>throttlefs simulate TRACE (--config FILE | --limit SPEC...) [--mount-limit SPEC] [--algorithm NAME]
/// [--mode open|closed] [--json] [--root DIR] [--timeline FILE]</c>: what candidate limits would have done to a
/// recorded workload, replayed through the engine on a virtual clock.
/// </summary>
internal static class SimulateCommand
{
    /// <summary>Files shown in the table by default; JSON has them all.</summary>
    private const int FilesShown = 20;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var trace = new Argument<string>("TRACE")
        {
            Description = "A trace from 'throttlefs trace', or an iolog version 3 written by 'fio --write_iolog' (fio 3.31 or later).",
        };
        var config = new Option<string?>("--config", "-c")
        {
            Description = "Simulate this config's limits, groups and path rules (as a mount with it would apply them). " +
                          "With --limit, each --limit replaces its file-limits in turn.",
            HelpName = "FILE",
        };
        var limits = new Option<string[]>("--limit")
        {
            Description = "A candidate: the limits every file gets, as 'throttlefs mount --limit' takes them (iops-total=500,iops-total-max=2000). " +
                          "Repeat to compare candidates side by side.",
            HelpName = "SPEC",
            AllowMultipleArgumentsPerToken = false,
        };
        var mountLimit = new Option<string?>("--mount-limit")
        {
            Description = "Limits all files share, for every candidate.",
            HelpName = "SPEC",
        };
        var algorithm = new Option<string?>("--algorithm")
        {
            Description = "Bucket algorithm of every limit that does not name its own: leaky (QEMU, default) or token (librbd).",
            HelpName = "NAME",
        };
        var mode = new Option<SimulationMode>("--mode")
        {
            Description = "open: requests arrive at their recorded times (how much wait would the limits add?). " +
                          "closed: each file keeps its recorded queue depth and issues its next request when one is done (how much longer would the job take?).",
            DefaultValueFactory = _ => SimulationMode.Closed,
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print the result as JSON: one object for one candidate, an array for several. Times in seconds (_s) and milliseconds (_ms).",
        };
        var root = new Option<string?>("--root")
        {
            Description = "For a trace fio wrote elsewhere: the directory its absolute file names are relative to, so path rules match " +
                          "(--root /mnt/vms makes /mnt/vms/images/a.img the images/a.img rules name).",
            HelpName = "DIR",
        };
        var timeline = new Option<string?>("--timeline")
        {
            Description = "Also write requests done per second, recorded and per candidate, as tab-separated columns (for bench/plots/whatif.sh).",
            HelpName = "FILE",
        };
        var command = new Command(
            "simulate",
            "Replay a recorded workload through the throttling engine under candidate limits, in virtual time (hours of I/O take seconds), " +
            "and report per file, group and mount: requests, how many waited, the wait each added (p50, p90, p99, max), how long the whole " +
            "took against the recording, and the deepest queue. Exit code 0: simulated; 2: bad input (the problem is printed).")
        {
            trace, config, limits, mountLimit, algorithm, mode, json, root, timeline,
        };
        command.SetAction(result =>
        {
            var problems = new List<string>();
            var candidates = Candidates(result.GetValue(config), result.GetValue(limits) ?? [], result.GetValue(mountLimit), result.GetValue(algorithm), problems);
            IoTrace? recorded = null;
            if (problems.Count == 0)
            {
                try
                {
                    recorded = IoTrace.Read(result.GetValue(trace)!, result.GetValue(root));
                    if (recorded.Requests.Length == 0)
                    {
                        problems.Add($"{result.GetValue(trace)} has no reads or writes to simulate");
                    }
                }
                catch (ConfigException e)
                {
                    problems.AddRange(e.Errors);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    problems.Add($"cannot read {result.GetValue(trace)}: {e.Message}");
                }
            }

            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    error.WriteLine($"throttlefs: {problem}");
                }

                return ExitCodes.Usage;
            }

            var chosenMode = result.GetValue(mode);
            var results = new List<SimulationResult>();
            foreach (var (name, settings) in candidates)
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    results.Add(Simulator.Run(recorded!, settings, chosenMode, name));
                }
                catch (ConfigException e)
                {
                    error.WriteLine($"throttlefs: {name}: {string.Join("; ", e.Errors)}");
                    return ExitCodes.Usage;
                }

                if (watch.Elapsed > TimeSpan.FromSeconds(2))
                {
                    error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throttlefs: simulated {name}: {recorded!.Requests.Length:N0} requests in {watch.Elapsed.TotalSeconds:F1} s"));
                }
            }

            if (result.GetValue(timeline) is { } timelinePath && !WriteTimeline(timelinePath, results, error))
            {
                return ExitCodes.Failure;
            }

            if (result.GetValue(json))
            {
                output.WriteLine(SimulationJson.Write(results));
            }
            else
            {
                WriteTable(output, recorded!, results);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    // The settings each candidate runs with: the config (or no limits) with each --limit in turn as the file limits.
    private static List<(string Name, ThrottleFsSettings Settings)> Candidates(string? config, string[] limits, string? mountLimit, string? algorithm, List<string> problems)
    {
        if (config is null && limits.Length == 0 && mountLimit is null)
        {
            problems.Add("give the limits to try: --limit SPEC (repeat it to compare candidates), --mount-limit SPEC, or --config FILE");
            return [];
        }

        var chosen = algorithm is { } name ? MountCommand.Spec("--algorithm", $"algorithm={name}", problems)?.ApplyTo(ThrottleConfig.Unlimited).Algorithm : null;
        var mount = MountCommand.Spec("--mount-limit", mountLimit, problems);
        var specs = limits.Select(limit => (Text: limit, Spec: MountCommand.Spec("--limit", limit, problems))).ToList();
        if (problems.Count > 0)
        {
            return [];
        }

        ThrottleFsSettings baseline;
        try
        {
            // Without a config only what is given applies: the bundled default's limits would blur the comparison.
            baseline = config is not null
                ? new ConfigSource(Path.GetFullPath(config), [], chosen, null, mount).Load()
                : ThrottleFsSettings.Empty with { Algorithm = chosen ?? ThrottleAlgorithm.Leaky, MountLimits = mount ?? ThrottleSpec.Empty };
        }
        catch (ConfigException e)
        {
            problems.AddRange(e.Errors);
            return [];
        }

        var label = config is not null ? $"config {config}" : mountLimit is not null ? $"mount {mountLimit}" : "";
        return specs.Count == 0
            ? [(label, baseline)]
            : [.. specs.Select(candidate => (candidate.Text, baseline with { FileLimits = candidate.Spec! }))];
    }

    private static bool WriteTimeline(string path, List<SimulationResult> results, TextWriter error)
    {
        try
        {
            using var writer = new StreamWriter(path) { NewLine = "\n" };
            writer.WriteLine("second\trecorded\t" + string.Join('\t', results.Select(result => result.Candidate.Replace('\t', ' '))));
            var seconds = results.Max(result => Math.Max(result.DonePerSecond.Count, result.RecordedDonePerSecond.Count));
            for (var second = 0; second < seconds; second++)
            {
                var recorded = second < results[0].RecordedDonePerSecond.Count ? results[0].RecordedDonePerSecond[second] : 0;
                writer.WriteLine(string.Join('\t', [second.ToString(CultureInfo.InvariantCulture), recorded.ToString(CultureInfo.InvariantCulture),
                    .. results.Select(result => (second < result.DonePerSecond.Count ? result.DonePerSecond[second] : 0).ToString(CultureInfo.InvariantCulture))]));
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"throttlefs: cannot write the timeline {path}: {e.Message}");
            return false;
        }
    }

    private static void WriteTable(TextWriter output, IoTrace trace, List<SimulationResult> results)
    {
        var first = results[0];
        var skipped = trace.Skipped > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {trace.Skipped:N0} other actions (sync, trim) not simulated") : "";
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{trace.Requests.Length:N0} requests to {trace.Files.Count:N0} file(s), recorded over {Seconds(trace.DurationNs)}; {first.Mode.ToString().ToLowerInvariant()} loop{skipped}"));
        output.WriteLine();

        var several = results.Count > 1;
        List<string[]> rows = [[.. several ? ["Candidate"] : Array.Empty<string>(), "Scope", "Name", "Ops", "Waited", "Refused", "Wait p50", "p90", "p99", "max", "Took", "Recorded", "Peak queue"]];
        void Add(SimulationResult result, ScopeResult scope) => rows.Add([
            .. several ? [result.Candidate] : Array.Empty<string>(), scope.Kind, scope.Name,
            scope.Ops.ToString("N0", CultureInfo.InvariantCulture),
            scope.Ops == 0 ? "-" : (100.0 * scope.WaitedOps / scope.Ops).ToString("F1", CultureInfo.InvariantCulture) + " %",
            scope.RefusedOps.ToString("N0", CultureInfo.InvariantCulture),
            Milliseconds(scope.WaitP50Ns), Milliseconds(scope.WaitP90Ns), Milliseconds(scope.WaitP99Ns), Milliseconds(scope.WaitMaxNs),
            Seconds(scope.DurationNs) + Stretch(scope), Seconds(scope.RecordedDurationNs),
            scope.PeakQueueDepth.ToString(CultureInfo.InvariantCulture)]);

        foreach (var result in results)
        {
            Add(result, result.Mount);
        }

        for (var g = 0; g < first.Groups.Count; g++)
        {
            foreach (var result in results)
            {
                Add(result, result.Groups[g]);
            }
        }

        var files = Enumerable.Range(0, first.Files.Count).OrderByDescending(f => first.Files[f].Ops).Take(FilesShown).ToList();
        foreach (var f in files)
        {
            foreach (var result in results)
            {
                Add(result, result.Files[f]);
            }
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(row => row[c].Length)).ToArray();
        var numeric = several ? 3 : 2; // columns after Candidate, Scope and Name are numbers: right-aligned
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, c) => c >= numeric ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
        }

        if (first.Files.Count > FilesShown)
        {
            output.WriteLine($"... and {first.Files.Count - FilesShown} more files, fewer requests each (--json lists them all).");
        }
    }

    private static string Stretch(ScopeResult scope) =>
        scope.RecordedDurationNs > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({(double)scope.DurationNs / scope.RecordedDurationNs:F2}×)") : "";

    private static string Milliseconds(long ns) => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e6:F1} ms");

    private static string Seconds(long ns) => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e9:F2} s");
}
