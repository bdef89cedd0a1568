namespace ThrottleFs.Qos.Tests;

/// <summary>QEMU tests/unit/test-throttle.c: /throttle/leak_bucket and /throttle/compute_wait.</summary>
public class LeakyBucketTests
{
    private const long NanosecondsPerSecond = 1_000_000_000;
    private const double Tolerance = 1e-6;

    [Fact]
    public void Leak_DrainsAtAvgAndNeverBelowZero()
    {
        var bucket = new LeakyBucket(avg: 150, max: 15) { Level = 1.5 };

        bucket.Leak(NanosecondsPerSecond / 150);
        Assert.Equal(0.5, bucket.Level, Tolerance);
        Assert.Equal(150, bucket.Avg);
        Assert.Equal(15, bucket.Max);

        bucket.Leak(NanosecondsPerSecond / 150);
        Assert.Equal(0, bucket.Level, Tolerance);

        bucket.Leak(NanosecondsPerSecond / 150);
        Assert.Equal(0, bucket.Level);
    }

    [Fact]
    public void Leak_DrainsTheBurstBucketAtMaxWhenBurstLengthAboveOne()
    {
        var bucket = new LeakyBucket(avg: 150, max: 250, burstLength: 2) { BurstLevel = 6 };
        var tenMs = NanosecondsPerSecond / 100;

        bucket.Leak(tenMs);
        Assert.Equal(3.5, bucket.BurstLevel, Tolerance);
        bucket.Leak(tenMs);
        Assert.Equal(1, bucket.BurstLevel, Tolerance);
        bucket.Leak(tenMs);
        Assert.Equal(0, bucket.BurstLevel, Tolerance);
        bucket.Leak(tenMs);
        Assert.Equal(0, bucket.BurstLevel);
    }

    [Fact]
    public void Leak_LeavesTheBurstLevelAloneWithBurstLengthOne()
    {
        var bucket = new LeakyBucket(avg: 150, max: 250) { BurstLevel = 6 };
        bucket.Leak(NanosecondsPerSecond);
        Assert.Equal(6, bucket.BurstLevel);
    }

    [Theory]
    [InlineData(0, 15, 1.5, 0)]             // a disabled bucket never waits
    [InlineData(150, 15, 15, 0)]            // level == capacity does not wait
    [InlineData(150, 15, 9, 0)]
    [InlineData(150, 15, 15.5, 3_333_333)]  // 0.5 op over at 150 op/s; QEMU asserts (int64)1e9/150/2
    public void ComputeWait_MatchesQemu(long avg, long max, double level, long expectedNs)
    {
        var bucket = new LeakyBucket(avg, max) { Level = level };
        Assert.Equal(expectedNs, bucket.ComputeWait());
    }

    [Fact]
    public void ComputeWait_UsesAvgOverTenAsCapacityWithoutMax()
    {
        Assert.Equal(10.0, new LeakyBucket(avg: 100).Capacity);
        Assert.Equal(0, new LeakyBucket(avg: 100) { Level = 10 }.ComputeWait());
        Assert.Equal(10_000_000, new LeakyBucket(avg: 100) { Level = 11 }.ComputeWait());
    }

    [Fact]
    public void ComputeWait_BurstOfTwoPointTwoSecondsAtMaxWaitsExactlyOnePointEightSecondsAtTheEnd()
    {
        // QEMU performs I/O for 2.2 s at the burst rate (20 units every 100 ms against max 200, length 2):
        // the burst bucket drains each step, the main one fills by 19 a step and overflows on the 22nd.
        var bucket = new LeakyBucket(avg: 10, max: 200, burstLength: 2);
        for (var i = 0; i < 22; i++)
        {
            bucket.Charge(bucket.Max / 10.0);
            bucket.Leak(NanosecondsPerSecond / 10);
            Assert.Equal(0, bucket.BurstLevel, Tolerance);
            Assert.Equal(19.0 * (i + 1), bucket.Level, Tolerance);
            var wait = bucket.ComputeWait();
            if (i < 21)
            {
                Assert.Equal(0, wait);
            }
            else
            {
                Assert.Equal(18 * NanosecondsPerSecond / 10, wait);
            }
        }
    }

    [Fact]
    public void ComputeWait_ChecksTheBurstBucketOnlyWhenTheMainOneHasRoom()
    {
        var bucket = new LeakyBucket(avg: 10, max: 200, burstLength: 2) { BurstLevel = 21 };
        Assert.Equal(NanosecondsPerSecond / 200, bucket.ComputeWait()); // 1 unit over at the burst rate

        bucket.Level = 401; // main bucket over by 1: waits at the average rate instead
        Assert.Equal(NanosecondsPerSecond / 10, bucket.ComputeWait());
    }
}
