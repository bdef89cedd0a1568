using System.Globalization;
using Spectre.Console;
using ThrottleFs.Statistics;

namespace ThrottleFs.Cli;

/// <summary>
/// The <c>throttlefs stats</c> table: one row for the mount layer (when it has limits), each group and each file, with
/// rates over the interval between two snapshots. The numbers are computed first (<see cref="Rows"/>), then formatted
/// (<see cref="Cells"/>) and laid out (<see cref="Build(IReadOnlyList{StatsRow})"/>).
/// </summary>
internal static class StatsTable
{
    /// <summary>Column headers, in the order of <see cref="Cells"/>.</summary>
    public static IReadOnlyList<string> Headers { get; } =
        ["Name", "Kind", "Read", "Write", "Limit", "Throttled", "Wait p99", "Burst left", "Queue", "Refused"];

    /// <summary>Longest limits SPEC shown whole; longer ones are cut with an ellipsis.</summary>
    public const int LimitsWidth = 40;

    /// <summary>A terminal narrower than this gets the compact table (<see cref="CompactHeaders"/>), which fits 80 columns.</summary>
    public const int FullTableWidth = 132;

    /// <summary>Column headers of the compact table, in the order of <see cref="CompactCells"/>.</summary>
    public static IReadOnlyList<string> CompactHeaders { get; } = ["Name", "Kind", "Read/s", "Write/s", "Limit", "Thr", "p99", "Q"];

    private const int CompactNameWidth = 15;
    private const int CompactLimitsWidth = 13;

    /// <summary>
    /// The snapshot rates are measured from: <paramref name="previous"/>, unless there is none or it cannot serve (not
    /// older than <paramref name="current"/>, or from before a restart of the mount, whose counters began again at 0).
    /// Null means "since the mount started".
    /// </summary>
    public static MountStatistics? Baseline(MountStatistics? previous, MountStatistics current) =>
        previous is not null && previous.Time < current.Time && previous.UptimeSeconds <= current.UptimeSeconds
            ? previous
            : null;

    /// <summary>Builds the table for <paramref name="current"/>, rates measured from <paramref name="previous"/> (see <see cref="Baseline"/>).</summary>
    public static Table Build(MountStatistics? previous, MountStatistics current) => Build(Rows(previous, current));

    /// <summary>The rows of the table: the mount (only when it has limits), then the groups, then the files.</summary>
    public static IReadOnlyList<StatsRow> Rows(MountStatistics? previous, MountStatistics current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var baseline = Baseline(previous, current);
        var seconds = baseline is null ? current.UptimeSeconds : (current.Time - baseline.Time).TotalSeconds;

        var rows = new List<StatsRow>(1 + current.Groups.Count + current.Files.Count);
        if (current.Mount.Limits.Length > 0 || current.Mount.Buckets.Count > 0)
        {
            var before = baseline?.Mount;
            rows.Add(Row(current.Mount.Name, "mount", current.Mount.Limits, current.Mount.Read, current.Mount.Write,
                before?.Read, before?.Write, current.Mount.Buckets, seconds));
        }

        var groupsBefore = ByKey(baseline?.Groups, g => g.Name);
        foreach (var group in current.Groups)
        {
            var before = groupsBefore.GetValueOrDefault(group.Name);
            var kind = group.Cluster is null ? "group" : group.Cluster.State == "leasing" ? "cluster" : "fallback";
            rows.Add(Row(group.Name, kind, group.Limits, group.Read, group.Write, before?.Read, before?.Write, group.Buckets, seconds));
        }

        var filesBefore = ByKey(baseline?.Files, f => f.Path);
        foreach (var file in current.Files)
        {
            var before = filesBefore.GetValueOrDefault(file.Path);
            rows.Add(Row(file.Path, "file", file.Limits, file.Read, file.Write, before?.Read, before?.Write, file.Buckets, seconds));
        }

        return rows;
    }

    /// <summary>
    /// One line per cluster-wide group, under the table: the hosts sharing it and their shares, and how this host gets its
    /// credit (<c>vms: leasing as hv1 · hosts hv1 48 %, hv2 52 % · 1,204 calls</c>).
    /// </summary>
    public static IReadOnlyList<string> ClusterLines(MountStatistics current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return [.. current.Groups.Where(group => group.Cluster is not null).Select(group =>
        {
            var cluster = group.Cluster!;
            var state = cluster.State == "leasing"
                ? $"leasing as {cluster.Host}"
                : $"on its fallback share as {cluster.Host} ({cluster.FallbackLimits}): {cluster.Reason}";
            var hosts = cluster.Hosts.Count == 0
                ? "no host seen yet"
                : "hosts " + string.Join(", ", cluster.Hosts.Select(host => $"{host.Name} {(host.Share * 100).ToString("0", CultureInfo.InvariantCulture)} %"));
            var failures = cluster.Failures > 0 ? $", {cluster.Failures.ToString("N0", CultureInfo.InvariantCulture)} failed" : "";
            return $"{group.Name}: {state} · {hosts} · {cluster.Calls.ToString("N0", CultureInfo.InvariantCulture)} calls to Redis{failures}";
        })];
    }

    /// <summary>The text of each cell of <paramref name="row"/>, in the order of <see cref="Headers"/>.</summary>
    public static string[] Cells(StatsRow row) =>
    [
        row.Name,
        row.Kind,
        Rate(row.ReadOpsPerSecond, row.ReadBytesPerSecond),
        Rate(row.WriteOpsPerSecond, row.WriteBytesPerSecond),
        ShortLimits(row.Limits),
        row.ThrottledPercent is { } percent ? percent.ToString("0.0", CultureInfo.InvariantCulture) + " %" : "-",
        row.WaitP99Ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms",
        row.BurstSecondsLeft is { } left ? left.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "-",
        row.QueueDepth.ToString(CultureInfo.InvariantCulture),
        row.RefusedPerSecond > 0 ? row.RefusedPerSecond.ToString("0.0", CultureInfo.InvariantCulture) + "/s" : "-",
    ];

    /// <summary>
    /// The cells of the compact table: a name cut from the left (the end of a path says the most), both rates of a
    /// direction in 10 characters (<c>1.1k 4.4M</c>), the limits cut short; burst left and refusals are in the full table.
    /// </summary>
    public static string[] CompactCells(StatsRow row) =>
    [
        row.Name.Length <= CompactNameWidth ? row.Name : string.Concat("…", row.Name.AsSpan(row.Name.Length - CompactNameWidth + 1)),
        row.Kind,
        $"{HumanUnits.CompactCount(row.ReadOpsPerSecond)} {HumanUnits.CompactCount(row.ReadBytesPerSecond, bytes: true)}",
        $"{HumanUnits.CompactCount(row.WriteOpsPerSecond)} {HumanUnits.CompactCount(row.WriteBytesPerSecond, bytes: true)}",
        row.Limits.Length == 0 ? "-" : row.Limits.Length <= CompactLimitsWidth ? row.Limits : string.Concat(row.Limits.AsSpan(0, CompactLimitsWidth - 1), "…"),
        row.ThrottledPercent is { } percent ? percent.ToString("0", CultureInfo.InvariantCulture) + "%" : "-",
        row.WaitP99Ms.ToString(row.WaitP99Ms < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + "ms",
        row.QueueDepth.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>The table for a terminal <paramref name="width"/> columns wide: the full one, or the compact one below <see cref="FullTableWidth"/>.</summary>
    public static Table Build(IReadOnlyList<StatsRow> rows, int width)
    {
        if (width >= FullTableWidth)
        {
            return Build(rows);
        }

        var table = new Table().Border(TableBorder.Simple);
        for (var i = 0; i < CompactHeaders.Count; i++)
        {
            var column = new TableColumn(new Text(CompactHeaders[i], new Style(decoration: Decoration.Bold))).Padding(0, 0, 1, 0).NoWrap();
            table.AddColumn(i is 0 or 1 or 4 ? column.LeftAligned() : column.RightAligned());
        }

        foreach (var row in rows)
        {
            table.AddRow(CompactCells(row).Select((cell, i) => new Text(cell, CellStyle(row, CompactToFull[i]))).ToArray());
        }

        if (rows.Count == 0)
        {
            table.Caption("No group and no file has a throttle state yet: open a file in the mount.");
        }

        return table;
    }

    // Which full column each compact column stands for, for its style.
    private static readonly int[] CompactToFull = [0, 1, 2, 3, 4, 5, 6, 8];

    /// <summary>Lays out <paramref name="rows"/> as a Spectre.Console table.</summary>
    public static Table Build(IReadOnlyList<StatsRow> rows)
    {
        var table = new Table().Border(TableBorder.Rounded);
        for (var i = 0; i < Headers.Count; i++)
        {
            // Name, kind and limit read left to right; numbers line up on the right.
            var column = new TableColumn(new Text(Headers[i], new Style(decoration: Decoration.Bold)));
            table.AddColumn(i is 0 or 1 or 4 ? column.LeftAligned() : column.RightAligned());
        }

        foreach (var row in rows)
        {
            var cells = Cells(row);
            // Text, not Markup: a path may contain [brackets], which markup would take for styles.
            table.AddRow(cells.Select((cell, i) => new Text(cell, CellStyle(row, i))).ToArray());
        }

        if (rows.Count == 0)
        {
            table.Caption("No group and no file has a throttle state yet: open a file in the mount.");
        }

        return table;
    }

    /// <summary>Both rates of a direction in one cell: <c>1.0k op/s  4.0 MiB/s</c>.</summary>
    public static string Rate(double opsPerSecond, double bytesPerSecond) =>
        $"{HumanUnits.OpsPerSecond(opsPerSecond)}  {HumanUnits.BytesPerSecond(bytesPerSecond)}";

    /// <summary>The limits SPEC, <c>-</c> when there is none, cut to <see cref="LimitsWidth"/> characters.</summary>
    public static string ShortLimits(string limits) =>
        limits.Length == 0 ? "-"
        : limits.Length <= LimitsWidth ? limits
        : string.Concat(limits.AsSpan(0, LimitsWidth - 1), "…");

    private static StatsRow Row(
        string name,
        string kind,
        string limits,
        DirectionSnapshot read,
        DirectionSnapshot write,
        DirectionSnapshot? readBefore,
        DirectionSnapshot? writeBefore,
        IReadOnlyList<BucketSnapshot> buckets,
        double seconds)
    {
        var readDelta = Delta(readBefore, read);
        var writeDelta = Delta(writeBefore, write);
        var ops = readDelta.Ops + writeDelta.Ops;
        double? burstLeft = null;
        foreach (var bucket in buckets)
        {
            if (bucket.HasBurst)
            {
                burstLeft = Math.Min(burstLeft ?? double.PositiveInfinity, bucket.BurstSecondsLeft);
            }
        }

        return new StatsRow(
            name,
            kind,
            PerSecond(readDelta.Ops, seconds),
            PerSecond(readDelta.Bytes, seconds),
            PerSecond(writeDelta.Ops, seconds),
            PerSecond(writeDelta.Bytes, seconds),
            limits,
            ops > 0 ? 100.0 * (readDelta.Throttled + writeDelta.Throttled) / ops : null,
            Math.Max(read.WaitP99Ms, write.WaitP99Ms),
            burstLeft,
            read.QueueDepth + write.QueueDepth,
            PerSecond(Refused(readBefore, read) + Refused(writeBefore, write), seconds));
    }

    // Refusals over the interval; all of them when the counters began again (a file whose throttle was dropped).
    private static long Refused(DirectionSnapshot? before, DirectionSnapshot now) =>
        before is null || now.Refused < before.Refused ? now.Refused : now.Refused - before.Refused;

    private static (long Ops, long Bytes, long Throttled) Delta(DirectionSnapshot? before, DirectionSnapshot now)
    {
        // A file closed and reopened after its state was dropped starts its counters again: what it shows now is all
        // it did since, not a negative difference.
        if (before is null || now.Ops < before.Ops || now.Bytes < before.Bytes || now.Throttled < before.Throttled)
        {
            return (now.Ops, now.Bytes, now.Throttled);
        }

        return (now.Ops - before.Ops, now.Bytes - before.Bytes, now.Throttled - before.Throttled);
    }

    private static double PerSecond(long count, double seconds) => seconds > 0 ? count / seconds : 0;

    private static Dictionary<string, T> ByKey<T>(IReadOnlyList<T>? items, Func<T, string> key)
    {
        var byKey = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items ?? [])
        {
            byKey.TryAdd(key(item), item);
        }

        return byKey;
    }

    private static Style CellStyle(StatsRow row, int column) => column switch
    {
        1 => new Style(Color.Grey),
        5 when row.ThrottledPercent >= 50 => new Style(Color.Red),
        5 when row.ThrottledPercent > 0 => new Style(Color.Yellow),
        _ => Style.Plain,
    };
}
