using ThrottleFs.Statistics;

namespace ThrottleFs.Tests;

/// <summary>Hand-built snapshots: a busy mount with every kind of layer, and the pieces to build others.</summary>
internal static class SampleStatistics
{
    /// <summary>A time with a non-UTC offset and sub-millisecond ticks, so a round trip has something to lose.</summary>
    public static DateTimeOffset Time { get; } = new DateTimeOffset(2025, 6, 1, 12, 30, 15, TimeSpan.FromHours(2)).AddTicks(1_234_567);

    public static DirectionSnapshot Direction(
        long ops, long bytes, long throttled = 0, double p50 = 0, double p90 = 0, double p99 = 0, double max = 0, double total = 0, int queue = 0) =>
        new(ops, bytes, throttled, p50, p90, p99, max, total, queue);

    public static LayerStatistics UnlimitedMount { get; } =
        new("mount", "", DirectionSnapshot.Zero, DirectionSnapshot.Zero, [], []);

    public static FileStatistics File(string path, DirectionSnapshot read, DirectionSnapshot write, string limits = "", string? group = null,
        int opens = 1, IReadOnlyList<BucketSnapshot>? buckets = null) =>
        new(path, opens, limits, group, read, write, buckets ?? []);

    /// <summary>
    /// A mount with limits, two groups and three files (one with a path that needs escaping), buckets with and without
    /// a burst, and doubles that are not round in binary.
    /// </summary>
    public static MountStatistics Busy()
    {
        var mount = new LayerStatistics(
            "mount",
            "iops-total=1000,iops-total-max=2000",
            Direction(5000, 20_480_000, 120, 0.1, 2.5, 9.75, 31.25, 480.5, 3),
            Direction(2500, 10_240_000, 30, 0, 1.0 / 3, 4.2, 12.5, 70.125, 1),
            [new BucketSnapshot("iops-total", 1000, 2000, 150.5, 2000, 0.07525, 0.8495)],
            ["disk.img", "logs/app.log", "we\"ird\\dir\nname.img"]);
        LayerStatistics[] groups =
        [
            new("db", "bps-total=10M", Direction(3000, 12_288_000, 40, 0, 1, 3, 8, 96), Direction(1000, 4_096_000, 0), [
                new BucketSnapshot("bps-total", 10_485_760, 0, 1_048_576, 1_048_576, 1, 0),
            ], ["disk.img"]),
            new("web", "", DirectionSnapshot.Zero, DirectionSnapshot.Zero, [], []),
        ];
        FileStatistics[] files =
        [
            File("disk.img", Direction(3000, 12_288_000, 80, 0.5, 2, 9.5, 30, 300.75, 2), Direction(1000, 4_096_000, 10, 0, 0.25, 1e-300, 5e-324, 1.5),
                "iops-read=500,iops-read-max=900,iops-read-max-length=10", "db", opens: 2, buckets: [
                    new BucketSnapshot("iops-read", 500, 900, 12.25, 9000, 12.25 / 9000, 9.9861),
                    new BucketSnapshot("bps-write", 1_048_576, 0, 0, 104_857.6, 0, 0),
                ]),
            File("logs/app.log", Direction(0, 0), Direction(1500, 6_144_000, 20, 0, 0.5, 2, 4, 20, 1), opens: 0),
            File("we\"ird\\dir\nname.img", Direction(2000, 8_192_000, 40, 1, 2, 3, 4, 50), Direction(0, 0)),
        ];
        return new MountStatistics(Time, 3725.125, mount, groups, files);
    }
}
