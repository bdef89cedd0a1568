using Spectre.Console;
using ThrottleFs.Cli;
using ThrottleFs.Statistics;
using static ThrottleFs.Tests.SampleStatistics;

namespace ThrottleFs.Tests;

public class StatsTableTests
{
    private const long MiB = 1024 * 1024;

    private static readonly MountStatistics Before = new(
        Time,
        10,
        UnlimitedMount,
        [new LayerStatistics("web", "bps-total=100M", Direction(70, 70 * 4096), Direction(0, 0), [], ["a.img"])],
        [File("a.img", Direction(100, 409_600, 10), Direction(50, 204_800, 0), group: "web")]);

    /// <summary>One second after <see cref="Before"/>: a.img read 1000 ops and 4 MiB (250 waited), wrote 500 ops and 1 MiB (50 waited).</summary>
    private static readonly MountStatistics After = new(
        Time.AddSeconds(1),
        11,
        UnlimitedMount,
        [new LayerStatistics("web", "bps-total=100M", Direction(70, 70 * 4096), Direction(0, 0), [], ["a.img"])],
        [
            File("a.img", Direction(1100, 409_600 + 4 * MiB, 260, p99: 7.5, queue: 3), Direction(550, 204_800 + MiB, 50, p99: 12.25, queue: 1), group: "web",
                buckets:
                [
                    new BucketSnapshot("iops-read", 500, 2000, 10, 20000, 0.0005, 8.5),
                    new BucketSnapshot("iops-write", 100, 400, 10, 4000, 0.0025, 3.25),
                    // No burst above the average: its BurstSecondsLeft of 0 must not count as "no burst left".
                    new BucketSnapshot("bps-total", 10 * MiB, 0, 0, MiB, 0, 0),
                ]),
        ]);

    [Fact]
    public void Rates_AreDeltasOverTheTimeBetweenSnapshots()
    {
        var file = Row(StatsTable.Rows(Before, After), "a.img");

        Assert.Equal("file", file.Kind);
        Assert.Equal(1000, file.ReadOpsPerSecond, 9);
        Assert.Equal(4 * MiB, file.ReadBytesPerSecond, 6);
        Assert.Equal(500, file.WriteOpsPerSecond, 9);
        Assert.Equal(MiB, file.WriteBytesPerSecond, 6);
    }

    [Fact]
    public void Throttled_IsDeltaThrottledOverDeltaOps()
    {
        var file = Row(StatsTable.Rows(Before, After), "a.img");

        // (250 + 50) of (1000 + 500).
        Assert.Equal(20, file.ThrottledPercent!.Value, 9);
    }

    [Fact]
    public void Throttled_IsUnknownWithoutRequests()
    {
        var group = Row(StatsTable.Rows(Before, After), "web");

        Assert.Equal("group", group.Kind);
        Assert.Null(group.ThrottledPercent);
        Assert.Equal(0, group.ReadOpsPerSecond);
        Assert.Equal("-", StatsTable.Cells(group)[5]);
    }

    [Fact]
    public void Cells_AreFormattedForPeople()
    {
        var cells = StatsTable.Cells(Row(StatsTable.Rows(Before, After), "a.img"));

        Assert.Equal(
            ["a.img", "file", "1.0k op/s  4.0 MiB/s", "500 op/s  1.0 MiB/s", "-", "20.0 %", "12.3 ms", "3.3 s", "4", "-"],
            cells);
    }

    [Fact]
    public void Refusals_AreARateOverTheInterval_OfEveryCauseAndBothDirections()
    {
        var before = Before with { Files = [File("a.img", Direction(100, 409_600) with { Policed = 10 }, Direction(50, 204_800) with { TimedOut = 2 })] };
        var after = After with { Files = [File("a.img", Direction(100, 409_600) with { Policed = 40, QueueFull = 5 }, Direction(50, 204_800) with { TimedOut = 7 })] };

        var row = Row(StatsTable.Rows(before, after), "a.img");

        Assert.Equal(40.0, row.RefusedPerSecond); // 30 policed, 5 queue full, 5 timed out in one second
        Assert.Equal("40.0/s", StatsTable.Cells(row)[^1]);
    }

    [Fact]
    public void WaitBurstAndQueue_ComeFromTheCurrentSnapshot()
    {
        var file = Row(StatsTable.Rows(Before, After), "a.img");

        Assert.Equal(12.25, file.WaitP99Ms);
        Assert.Equal(3.25, file.BurstSecondsLeft);
        Assert.Equal(4, file.QueueDepth);
        Assert.Null(Row(StatsTable.Rows(Before, After), "web").BurstSecondsLeft);
    }

    [Fact]
    public void WithoutPrevious_RatesAreOverUptime()
    {
        var file = Row(StatsTable.Rows(null, After), "a.img");

        Assert.Equal(1100.0 / 11, file.ReadOpsPerSecond, 9);
        Assert.Equal((204_800 + MiB) / 11.0, file.WriteBytesPerSecond, 6);
        Assert.Equal(100.0 * 310 / 1650, file.ThrottledPercent!.Value, 9);
    }

    [Fact]
    public void APreviousFromBeforeARestart_IsNotABaseline()
    {
        var restarted = After with { UptimeSeconds = 2 };

        Assert.Null(StatsTable.Baseline(Before with { Time = Time.AddSeconds(-60) }, restarted));
        Assert.Equal(1100.0 / 2, Row(StatsTable.Rows(Before, restarted), "a.img").ReadOpsPerSecond, 9);
    }

    [Fact]
    public void ASnapshotNotNewer_IsNotABaseline()
    {
        Assert.Null(StatsTable.Baseline(After, After));
        Assert.Null(StatsTable.Baseline(After, Before));
        Assert.Same(Before, StatsTable.Baseline(Before, After));
    }

    [Fact]
    public void AFileNewInTheInterval_CountsAllItDid()
    {
        var after = After with { Files = [.. After.Files, File("new.img", Direction(30, 30 * 4096), Direction(0, 0))] };

        Assert.Equal(30, Row(StatsTable.Rows(Before, after), "new.img").ReadOpsPerSecond, 9);
    }

    [Fact]
    public void CountersThatWentBack_CountFromZero()
    {
        // a.img was closed, its state dropped, and reopened: its counters began again.
        var after = After with { Files = [File("a.img", Direction(40, 40 * 4096, 4), Direction(0, 0))] };

        var file = Row(StatsTable.Rows(Before, after), "a.img");

        Assert.Equal(40, file.ReadOpsPerSecond, 9);
        Assert.Equal(10, file.ThrottledPercent!.Value, 9);
    }

    [Fact]
    public void MountRow_OnlyWhenTheMountHasLimits()
    {
        Assert.Equal(["web", "a.img"], StatsTable.Rows(Before, After).Select(r => r.Name));

        var limitedMount = new LayerStatistics("mount", "iops-total=5000", Direction(1000, 4096_000), Direction(0, 0),
            [new BucketSnapshot("iops-total", 5000, 0, 0, 500, 0, 0)], ["a.img"]);
        var rows = StatsTable.Rows(Before, After with { Mount = limitedMount });

        Assert.Equal(["mount", "web", "a.img"], rows.Select(r => r.Name));
        Assert.Equal("mount", rows[0].Kind);
        Assert.Equal(1000, rows[0].ReadOpsPerSecond, 9);
        Assert.Equal("iops-total=5000", rows[0].Limits);
    }

    [Theory]
    [InlineData("", "-")]
    [InlineData("iops-total=100", "iops-total=100")]
    [InlineData("iops-total=100,iops-total-max=2000,bps-read=10", "iops-total=100,iops-total-max=2000,bps-…")]
    public void Limits_AreShortened(string limits, string shown)
    {
        Assert.Equal(shown, StatsTable.ShortLimits(limits));
        Assert.True(shown.Length <= StatsTable.LimitsWidth);
    }

    [Fact]
    public void Table_HasAColumnPerHeaderAndARowPerRow()
    {
        var table = StatsTable.Build(Before, After);

        Assert.Equal(StatsTable.Headers.Count, table.Columns.Count);
        Assert.Equal(2, table.Rows.Count);
    }

    [Fact]
    public void Table_RendersTheCells()
    {
        using var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(text),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 200;

        console.Write(StatsTable.Build(Before, After));

        var lines = text.ToString().Split('\n');
        var row = Assert.Single(lines, l => l.Contains("a.img", StringComparison.Ordinal));
        Assert.Contains("1.0k op/s  4.0 MiB/s", row, StringComparison.Ordinal);
        Assert.Contains("20.0 %", row, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("Burst left", StringComparison.Ordinal));
    }

    [Fact]
    public void OnAnEightyColumnTerminal_EachRowIsOneLine_AndNoLineIsWider()
    {
        var wide = After with
        {
            Groups = [new LayerStatistics("vms", "iops-total=5000,iops-total-max=10000,iops-total-max-length=60", Direction(70_000, 70_000L * 4096), Direction(300, 300 * 65536), [], ["a.img"])],
            Files = [File("images/ubuntu-22.04-server-cloudimg-amd64.qcow2", Direction(1100, 409_600 + 4 * MiB, 260, p99: 7.5, queue: 3), Direction(550, 204_800 + MiB, 50, p99: 12.25, queue: 1), group: "vms")],
        };
        using var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 80;

        console.Write(StatsTable.Build(StatsTable.Rows(Before, wide), console.Profile.Width));

        var lines = text.ToString().TrimEnd().Split('\n');
        Assert.All(lines, line => Assert.True(line.TrimEnd().Length <= 80, $"{line.Length} columns: {line}"));
        Assert.True(lines.Any(line => line.Contains("…mg-amd64.qcow2", StringComparison.Ordinal) && line.Contains("1.1k 4.4M") && line.Contains("12ms") && line.TrimEnd().EndsWith(" 4", StringComparison.Ordinal)), text.ToString());
        Assert.Contains(lines, line => line.StartsWith(" vms", StringComparison.Ordinal) && line.Contains("iops-total=5…"));
    }

    [Theory]
    [InlineData(0, false, "0")]
    [InlineData(110, false, "110")]
    [InlineData(999.4, false, "999")]
    [InlineData(7_049, false, "7.0k")]
    [InlineData(27_300, false, "27k")]
    [InlineData(1_900_000, false, "1.9M")]
    [InlineData(460_000, true, "449K")]
    [InlineData(28_626_124, true, "27M")]
    public void CompactCounts_FitFourCharacters(double value, bool bytes, string expected) =>
        Assert.Equal(expected, HumanUnits.CompactCount(value, bytes));

    [Fact]
    public void Table_SaysWhyItIsEmpty()
    {
        var empty = new MountStatistics(Time, 5, UnlimitedMount, [], []);
        using var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), Ansi = AnsiSupport.No });
        console.Profile.Width = 200;

        console.Write(StatsTable.Build(null, empty));

        Assert.Contains("No group and no file has a throttle state yet", text.ToString(), StringComparison.Ordinal);
    }

    private static StatsRow Row(IReadOnlyList<StatsRow> rows, string name) => Assert.Single(rows, r => r.Name == name);
}
