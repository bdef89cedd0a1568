using ThrottleFs.Statistics;

namespace ThrottleFs.Tests;

/// <summary>
/// Deep equality of snapshots. The records hold lists, which records compare by reference, so two equal snapshots
/// parsed separately are not <c>Equals</c>; this compares every value, doubles bit for bit.
/// </summary>
internal static class StatisticsAssert
{
    public static void Equal(MountStatistics expected, MountStatistics actual)
    {
        Assert.Equal(expected.Time, actual.Time);
        Assert.Equal(expected.Time.Offset, actual.Time.Offset);
        Exact(expected.UptimeSeconds, actual.UptimeSeconds);
        Equal(expected.Mount, actual.Mount);
        Assert.Equal(expected.Groups.Count, actual.Groups.Count);
        for (var i = 0; i < expected.Groups.Count; i++)
        {
            Equal(expected.Groups[i], actual.Groups[i]);
        }

        Assert.Equal(expected.Files.Count, actual.Files.Count);
        for (var i = 0; i < expected.Files.Count; i++)
        {
            var (e, a) = (expected.Files[i], actual.Files[i]);
            Assert.Equal(e.Path, a.Path);
            Assert.Equal(e.Opens, a.Opens);
            Assert.Equal(e.Limits, a.Limits);
            Assert.Equal(e.Group, a.Group);
            Equal(e.Read, a.Read);
            Equal(e.Write, a.Write);
            Equal(e.Buckets, a.Buckets);
        }
    }

    private static void Equal(LayerStatistics expected, LayerStatistics actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Limits, actual.Limits);
        Equal(expected.Read, actual.Read);
        Equal(expected.Write, actual.Write);
        Equal(expected.Buckets, actual.Buckets);
        Assert.Equal(expected.Members, actual.Members);
    }

    private static void Equal(DirectionSnapshot expected, DirectionSnapshot actual)
    {
        Assert.Equal((expected.Ops, expected.Bytes, expected.Throttled, expected.QueueDepth), (actual.Ops, actual.Bytes, actual.Throttled, actual.QueueDepth));
        Exact(expected.WaitP50Ms, actual.WaitP50Ms);
        Exact(expected.WaitP90Ms, actual.WaitP90Ms);
        Exact(expected.WaitP99Ms, actual.WaitP99Ms);
        Exact(expected.WaitMaxMs, actual.WaitMaxMs);
        Exact(expected.WaitTotalMs, actual.WaitTotalMs);
    }

    private static void Equal(IReadOnlyList<BucketSnapshot> expected, IReadOnlyList<BucketSnapshot> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.Equal((e.Bucket, e.Avg, e.Max), (a.Bucket, a.Avg, a.Max));
            Exact(e.Level, a.Level);
            Exact(e.Capacity, a.Capacity);
            Exact(e.Fill, a.Fill);
            Exact(e.BurstSecondsLeft, a.BurstSecondsLeft);
        }
    }

    private static void Exact(double expected, double actual) =>
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(actual));
}
