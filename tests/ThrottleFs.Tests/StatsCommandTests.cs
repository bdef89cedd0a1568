using System.CommandLine;
using System.Text;
using ThrottleFs.Cli;
using ThrottleFs.Configuration;
using ThrottleFs.Control;
using ThrottleFs.Hosting;
using ThrottleFs.Statistics;

namespace ThrottleFs.Tests;

/// <summary>
/// <c>throttlefs stats</c> in process, against a directory that looks like a mount: a <c>.throttlefs/stats</c> file
/// written by <see cref="StatisticsJson"/>. One-shot runs go through <see cref="ThrottleFsCommandLine.Run"/> exactly as
/// the executable does (standard output captured with <see cref="Console.SetOut"/>, hence the collection); runs that
/// must be stopped (--watch) are invoked with their own output writer and cancellation token.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class StatsCommandTests : IDisposable
{
    private const long MiB = 1024 * 1024;

    private readonly string mountPoint = Directory.CreateTempSubdirectory("throttlefs-stats-").FullName;
    private readonly MountStatistics statistics = SampleStatistics.Busy();

    public StatsCommandTests()
    {
        Serve(statistics);
    }

    public void Dispose() => Directory.Delete(mountPoint, recursive: true);

    [Fact]
    public void Json_PrintsTheServedStatistics()
    {
        var (exitCode, output, error) = Run("stats", mountPoint, "--json");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("", error);
        StatisticsAssert.Equal(statistics, StatisticsJson.Parse(output));
        Assert.StartsWith("{\n  \"time\": ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_PrintsTheTableWithRatesOverUptime()
    {
        var (exitCode, output, error) = Run("stats", mountPoint);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("", error);
        Assert.Contains($"ThrottleFs at {mountPoint}", output, StringComparison.Ordinal);
        Assert.Contains("up 1h02m05s", output, StringComparison.Ordinal);
        Assert.Contains("rates averaged since the mount started", output, StringComparison.Ordinal);
        // disk.img read 3000 ops and 12,288,000 bytes in 3725.125 s.
        var disk = Assert.Single(output.Split('\n'), l => l.Contains("disk.img", StringComparison.Ordinal));
        Assert.Contains("0.8 op/s  3.2 KiB/s", disk, StringComparison.Ordinal);
        Assert.Contains(output.Split('\n'), l => l.Contains(" db ", StringComparison.Ordinal) && l.Contains("bps-total=10M", StringComparison.Ordinal));
        Assert.Contains(output.Split('\n'), l => l.Contains("iops-total=1000,iops-total-max=2000", StringComparison.Ordinal) && l.Contains("mount", StringComparison.Ordinal));
    }

    [Fact]
    public void ADirectoryThatIsNotAMount_ExitsOneWithHowToMountIt()
    {
        var plain = Directory.CreateDirectory(Path.Combine(mountPoint, "plain")).FullName;

        var (exitCode, output, error) = Run("stats", plain);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Equal("", output);
        Assert.Equal(
            $"throttlefs: '{plain}' is not a ThrottleFs mount (no .throttlefs directory); mount it with: throttlefs mount SOURCE {plain}{Environment.NewLine}",
            error);
    }

    [Fact]
    public void AMissingMountPoint_ExitsOne()
    {
        var missing = Path.Combine(mountPoint, "missing");

        var (exitCode, _, error) = Run("stats", missing, "--json");

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Equal($"throttlefs: '{missing}' does not exist.{Environment.NewLine}", error);
    }

    [Fact]
    public void StatsThatAreNotStatistics_ExitOne()
    {
        File.WriteAllText(StatsPath(".throttlefs"), "{\"time\": 1}");

        var (exitCode, output, error) = Run("stats", mountPoint);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Equal("", output);
        Assert.StartsWith($"throttlefs: '{StatsPath(".throttlefs")}' does not hold ThrottleFs statistics: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ControlDirectoryOption_ReadsFromThatDirectory()
    {
        var other = statistics with { UptimeSeconds = 42 };
        Serve(other, ".ctl");

        var (exitCode, output, _) = Run("stats", mountPoint, "--json", "--control-directory", ".ctl");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal(42, StatisticsJson.Parse(output).UptimeSeconds);
    }

    [Theory]
    [InlineData("--interval", "2")]
    [InlineData("--watch", "--interval", "0")]
    [InlineData("--watch", "--interval", "-1")]
    [InlineData("--watch", "--interval", "soon")]
    [InlineData("--control-directory", "a/b")]
    [InlineData("--control-directory", "..")]
    [InlineData("--bogus")]
    public void UsageErrors_ExitTwo(params string[] options)
    {
        var (exitCode, _, error) = Run(["stats", mountPoint, .. options]);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.NotEqual("", error);
    }

    [Fact]
    public void WithoutMountPoint_ExitsTwo()
    {
        Assert.Equal(ExitCodes.Usage, Run("stats").ExitCode);
    }

    [Fact]
    public void Help_DescribesEveryOption()
    {
        var (exitCode, output, _) = Run("stats", "--help");

        Assert.Equal(ExitCodes.Success, exitCode);
        // The root command is named after the executable, which here is the test host.
        Assert.Contains(" stats <MOUNTPOINT> [options]", output, StringComparison.Ordinal);
        Assert.Contains("Prometheus", output, StringComparison.Ordinal);
        Assert.Contains("--json", output, StringComparison.Ordinal);
        Assert.Contains("NDJSON", output, StringComparison.Ordinal);
        Assert.Contains("-w, --watch", output, StringComparison.Ordinal);
        Assert.Contains("Ctrl-C", output, StringComparison.Ordinal);
        Assert.Contains("-n, --interval <SECONDS>", output, StringComparison.Ordinal);
        Assert.Contains("[default: 1]", output, StringComparison.Ordinal);
        Assert.Contains("--control-directory <NAME>", output, StringComparison.Ordinal);
        Assert.Contains("[default: .throttlefs]", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchJson_PrintsOneCompactSnapshotPerLineUntilCancelled()
    {
        var output = new SharedWriter();
        using var cancel = new CancellationTokenSource();

        var run = InvokeAsync(output, new SharedWriter(), cancel.Token, "stats", mountPoint, "--watch", "--json", "--interval", "0.05");
        await WaitUntil(() => output.Text.Count(c => c == '\n') >= 3);
        await cancel.CancelAsync();

        Assert.Equal(ExitCodes.Success, await run);
        var lines = output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 3);
        Assert.All(lines, line =>
        {
            Assert.StartsWith("{\"time\":", line, StringComparison.Ordinal);
            StatisticsAssert.Equal(statistics, StatisticsJson.Parse(line));
        });
    }

    [Fact]
    public async Task WatchTable_RatesAreFromConsecutiveSnapshots()
    {
        var output = new SharedWriter();
        using var cancel = new CancellationTokenSource();
        var disk = statistics.Files[0];
        var later = statistics with
        {
            Time = statistics.Time.AddSeconds(1),
            UptimeSeconds = statistics.UptimeSeconds + 1,
            Files = [disk with { Read = disk.Read with { Ops = disk.Read.Ops + 1000, Bytes = disk.Read.Bytes + 4 * MiB, Throttled = disk.Read.Throttled + 250 } }, .. statistics.Files.Skip(1)],
        };

        var run = InvokeAsync(output, new SharedWriter(), cancel.Token, "stats", mountPoint, "--watch", "--interval", "0.05");
        await WaitUntil(() => output.Text.Contains("rates averaged since the mount started", StringComparison.Ordinal));
        Serve(later);
        await WaitUntil(() => output.Text.Contains("rates over the last 1.0 s", StringComparison.Ordinal));
        await cancel.CancelAsync();

        Assert.Equal(ExitCodes.Success, await run);
        var text = output.Text;
        // Not a terminal: every refresh is a fresh table, with no cursor movement or colour.
        Assert.DoesNotContain('\u001b', text);
        var start = text.IndexOf("rates over the last 1.0 s", StringComparison.Ordinal);
        var end = text.IndexOf("ThrottleFs at", start, StringComparison.Ordinal);
        var frame = end < 0 ? text[start..] : text[start..end];
        var row = Assert.Single(frame.Split('\n'), l => l.Contains("disk.img", StringComparison.Ordinal));
        Assert.Contains("1.0k op/s  4.0 MiB/s", row, StringComparison.Ordinal);
        Assert.Contains("0 op/s  0 B/s", row, StringComparison.Ordinal);
        Assert.Contains("25.0 %", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_ExitsOneWhenTheStatsGoAway()
    {
        var output = new SharedWriter();
        var error = new SharedWriter();

        var run = InvokeAsync(output, error, CancellationToken.None, "stats", mountPoint, "--watch", "--json", "--interval", "0.05");
        await WaitUntil(() => output.Text.Contains('\n', StringComparison.Ordinal));
        File.Delete(StatsPath(".throttlefs"));

        Assert.Equal(ExitCodes.Failure, await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.StartsWith($"throttlefs: cannot read '{StatsPath(".throttlefs")}': ", error.Text, StringComparison.Ordinal);
    }

    private string StatsPath(string controlDirectory) => Path.Combine(mountPoint, controlDirectory, ControlFile.Stats.Name());

    /// <summary>Writes the stats file the way a server replaces it: whole, by rename, so a reader never sees half of it.</summary>
    private void Serve(MountStatistics snapshot, string controlDirectory = ControlDirectoryName.Default)
    {
        Directory.CreateDirectory(Path.Combine(mountPoint, controlDirectory));
        var temporary = StatsPath(controlDirectory) + ".new";
        File.WriteAllBytes(temporary, StatisticsJson.SerializeToUtf8Bytes(snapshot));
        File.Move(temporary, StatsPath(controlDirectory), overwrite: true);
    }

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            var exitCode = ThrottleFsCommandLine.Run(args, new ThrowingMountHost(), error);
            return (exitCode, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(original);
        }
    }

    private static Task<int> InvokeAsync(TextWriter output, TextWriter error, CancellationToken cancellationToken, params string[] args)
    {
        var root = new RootCommand { StatsCommand.Create(error) };
        var parsed = root.Parse(args);
        Assert.Empty(parsed.Errors);
        // No process-wide Ctrl-C handler from a test: the token is the only way these runs stop.
        return parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }, cancellationToken);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the command's output");
            await Task.Delay(20);
        }
    }

    /// <summary>A writer the command fills on its thread while the test reads it on another.</summary>
    private sealed class SharedWriter : TextWriter
    {
        private readonly StringBuilder text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (text)
                {
                    return text.ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (text)
            {
                text.Append(value);
            }
        }

        public override void Write(string? value)
        {
            lock (text)
            {
                text.Append(value);
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (text)
            {
                text.Append(buffer, index, count);
            }
        }
    }

    /// <summary>The stats command never mounts or unmounts.</summary>
    private sealed class ThrowingMountHost : IMountHost
    {
        public int Mount(MountOptions options, TextWriter error, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("stats must not mount");

        public int Unmount(string mountPoint, TextWriter error) =>
            throw new InvalidOperationException("stats must not unmount");
    }
}
