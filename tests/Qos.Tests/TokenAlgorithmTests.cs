namespace ThrottleFs.Qos.Tests;

/// <summary>librbd's TokenBucketThrottle semantics (Ceph src/common/Throttle.cc) under a virtual clock.</summary>
public class TokenAlgorithmTests : VirtualTimeTest
{

    [Fact]
    public void Limit100_GivesFiveTokensAtOnceThenFiveEvery50Ms()
    {
        var load = Saturate("iops-total=100,algorithm=token", 4096);
        Assert.Equal(5, load.Admitted);
        Until(TimeSpan.FromMilliseconds(49.9), load);
        Assert.Equal(5, load.Admitted);
        Until(TimeSpan.FromMilliseconds(50), load);
        Assert.Equal(10, load.Admitted);
        Until(TimeSpan.FromSeconds(1), load);
        Assert.Equal(105, load.Admitted);
        Until(TimeSpan.FromSeconds(11), load);
        Assert.Equal(1105, load.Admitted);
    }

    [Fact]
    public void Limit10_TicksEvery100Ms()
    {
        var load = Saturate("iops-total=10,algorithm=token", 4096);
        Assert.Equal(1, load.Admitted);
        Until(TimeSpan.FromMilliseconds(99), load);
        Assert.Equal(1, load.Admitted);
        Until(TimeSpan.FromSeconds(1), load);
        Assert.Equal(11, load.Admitted);
    }

    [Fact]
    public void Burst1000ForOneSecond_RunsAtTheBurstRateUntilTheBucketIsEmpty()
    {
        // Available refills at 50 per tick (burst ratio 10), the bucket (1000) at 5 per tick.
        var load = Saturate("iops-total=100,iops-total-max=1000,algorithm=token", 4096);
        Assert.Equal(50, load.Admitted);
        Until(TimeSpan.FromMilliseconds(50), load);
        Assert.Equal(100, load.Admitted);
        Until(TimeSpan.FromSeconds(1), load);
        Assert.Equal(1050, load.Admitted);
        Until(TimeSpan.FromMilliseconds(1050), load);
        Assert.Equal(1100, load.Admitted);
        Until(TimeSpan.FromMilliseconds(1100), load);
        Assert.Equal(1110, load.Admitted); // the bucket runs dry: only 10 tokens left
        Until(TimeSpan.FromSeconds(5.1), load);
        Assert.Equal(1510, load.Admitted); // 100/s from then on
    }

    [Fact]
    public void Burst1000For60Seconds_LastsAbout67Seconds()
    {
        // librbd PR #35138: burst·len + limit·t = burst·t ⇒ t = 60000/900 ≈ 66.7 s.
        var load = Saturate("iops-total=100,iops-total-max=1000,iops-total-max-length=60,algorithm=token", 4096);
        Until(TimeSpan.FromSeconds(66), load);
        var at66 = load.Admitted;
        Until(TimeSpan.FromSeconds(67), load);
        Assert.True(load.Admitted - at66 > 500);
        Until(TimeSpan.FromSeconds(68), load);
        var at68 = load.Admitted;
        Until(TimeSpan.FromSeconds(70), load);
        Assert.Equal(200, load.Admitted - at68);
    }

    [Fact]
    public void ARequestLargerThanOneTick_AccumulatesPartialGrants()
    {
        // 1 MiB/s: 52,428 or 52,429 tokens per 50 ms tick. A 4 MiB request takes 80 ticks: ticks 0 to 79.
        var member = Group("bps-total=1M,algorithm=token").Join("file");
        var big = member.AdmitAsync(ThrottleDirection.Write, 4 << 20);
        Assert.False(big.IsCompleted);
        Clock.AdvanceTo(TimeSpan.FromMilliseconds(3949.9));
        Assert.False(big.IsCompleted);
        Clock.AdvanceTo(TimeSpan.FromMilliseconds(3950));
        Assert.True(big.IsCompletedSuccessfully);
        big.GetAwaiter().GetResult();
    }

    [Fact]
    public void TokensPerTick_SumToTheLimitEachSecond()
    {
        // librbd's header example: avg 950 with 50 ms ticks adds 47, 48, 47, 48, ...
        var bucket = new TokenBucket(new BucketConfig(950, 0, 1), 0);
        var added = new List<double> { bucket.Take(bucket.Available) };
        for (var tick = 1; tick < 20; tick++)
        {
            bucket.RefillTo(tick * 50_000_000L);
            added.Add(bucket.Take(bucket.Available));
        }

        Assert.Equal([47, 48, 47, 48], added.Take(4));
        Assert.Equal(950, added.Sum());
    }

    [Fact]
    public void LongIdle_IsReplayedInWholeSeconds_AndCapsAtTheBurst()
    {
        var bucket = new TokenBucket(new BucketConfig(100, 1000, 60), 0);
        bucket.Take(bucket.Available);
        while (bucket.Remain > 0)
        {
            bucket.RefillTo(bucket.NextTickNs);
            bucket.Take(bucket.Available);
        }

        bucket.RefillTo(bucket.NextTickNs + (3600L * 1_000_000_000)); // an hour idle
        Assert.Equal(60_000, bucket.Remain);
        Assert.Equal(1000, bucket.Available); // at most one second of burst at once
    }

    [Fact]
    public void CancelledRequest_GivesItsPartialGrantBack()
    {
        var member = Group("bps-total=1M,algorithm=token").Join("file");
        using var cts = new CancellationTokenSource();
        var big = member.AdmitAsync(ThrottleDirection.Write, 4 << 20, cts.Token);
        Clock.AdvanceTo(TimeSpan.FromMilliseconds(1000)); // 21 ticks granted ≈ 1.05 MiB
        cts.Cancel();
        Assert.True(big.IsCanceled);

        var stats = member.Group!.GetStatistics().Buckets[(int)BucketKind.BpsTotal];
        Assert.Equal(1 << 20, stats.Credit, 1.0); // the bucket is full again
    }

    [Fact]
    public void SwitchingAlgorithm_StartsFresh_AndKeepsTheQueue()
    {
        var group = Group("iops-total=100");
        var load = new Workload(group.Join("file"), ThrottleDirection.Read, 4096);
        Until(TimeSpan.FromSeconds(1), load);
        var before = load.Admitted;

        group.Reconfigure(ThrottleConfig.Parse("iops-total=100,algorithm=token"));
        Assert.Equal(before + 5, load.Collect()); // one tick's tokens at once
        Until(TimeSpan.FromSeconds(2), load);
        Assert.Equal(before + 5 + 100, load.Admitted);
    }

    [Fact]
    public void Groups_ShareTokensRoundRobin()
    {
        var group = Group("iops-total=100,algorithm=token");
        var a = new Workload(group.Join("a"), ThrottleDirection.Read, 4096);
        var b = new Workload(group.Join("b"), ThrottleDirection.Read, 4096);
        Until(TimeSpan.FromSeconds(1), a, b);
        var (a1, b1) = (a.Admitted, b.Admitted);
        Until(TimeSpan.FromSeconds(11), a, b);
        Assert.Equal(1000, a.Admitted - a1 + b.Admitted - b1);
        Assert.InRange(a.Admitted - a1, 495, 505);
    }
}
