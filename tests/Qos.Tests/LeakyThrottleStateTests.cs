namespace ThrottleFs.Qos.Tests;

/// <summary>QEMU's /throttle/accounting (tests/unit/test-throttle.c) and reconfiguration of levels.</summary>
public class LeakyThrottleStateTests
{
    [Theory]
    [InlineData(false, 512, 150, 0, 1024, 512, 512)]
    [InlineData(false, 1024, 150, 0, 2048, 1024, 1024)]
    [InlineData(false, 1024, 150, 17, 2048, 1024, 1024)]
    [InlineData(true, 512, 150, 0, 2, 1, 1)]
    [InlineData(true, 1024, 150, 0, 2, 1, 1)]
    [InlineData(true, 32768, 150, 6656, 128.0 / 13, 64.0 / 13, 64.0 / 13)]
    [InlineData(true, 32768, 300, 6656, 128.0 / 13, 64.0 / 13, 64.0 / 13)]
    public void Accounting_OneReadAndOneWrite(bool iops, long size, long avg, long opSize, double total, double read, double write)
    {
        // QEMU sets total, read and write at once (not a valid config, irrelevant to charging).
        var bucket = new BucketConfig(avg, 0, 1);
        var config = iops
            ? ThrottleConfig.Unlimited with { IopsTotal = bucket, IopsRead = bucket, IopsWrite = bucket, IopsSize = opSize }
            : ThrottleConfig.Unlimited with { BpsTotal = bucket, BpsRead = bucket, BpsWrite = bucket, IopsSize = opSize };
        var state = new LeakyThrottleState(config, 0);

        state.Account(ThrottleDirection.Read, size);
        state.Account(ThrottleDirection.Write, size);

        var (t, r, w) = iops
            ? (BucketKind.IopsTotal, BucketKind.IopsRead, BucketKind.IopsWrite)
            : (BucketKind.BpsTotal, BucketKind.BpsRead, BucketKind.BpsWrite);
        Assert.Equal(total, state[t].Level, 1e-6);
        Assert.Equal(read, state[r].Level, 1e-6);
        Assert.Equal(write, state[w].Level, 1e-6);
    }

    [Fact]
    public void ComputeWait_IsTheLongestOfTheFourBuckets()
    {
        // 4 KiB requests are bound by 100 IOPS, 64 KiB requests by 1 MiB/s (QemuScenarioTests, S4).
        var state = new LeakyThrottleState(ThrottleConfig.Parse("bps-total=1M,iops-total=100"), 0);
        for (var i = 0; i < 11; i++)
        {
            state.Account(ThrottleDirection.Read, 4096);
        }

        Assert.Equal(10_000_000, state.ComputeWait(ThrottleDirection.Read, 0));

        state = new LeakyThrottleState(ThrottleConfig.Parse("bps-total=1M,iops-total=100"), 0);
        state.Account(ThrottleDirection.Write, 65536);
        state.Account(ThrottleDirection.Write, 65536);
        Assert.Equal(24_999_999, state.ComputeWait(ThrottleDirection.Write, 0));
    }

    [Fact]
    public void Reconfigure_Reset_EmptiesEveryLevel()
    {
        var state = new LeakyThrottleState(ThrottleConfig.Parse("iops-total=100"), 0);
        for (var i = 0; i < 20; i++)
        {
            state.Account(ThrottleDirection.Read, 4096);
        }

        state.Reconfigure(ThrottleConfig.Parse("iops-total=100,on-change=reset"), 0);
        Assert.Equal(0, state[BucketKind.IopsTotal].Level);
        Assert.Equal(0, state.ComputeWait(ThrottleDirection.Read, 0));
    }

    [Fact]
    public void Reconfigure_Keep_WithTheSameLimitsChangesNothing()
    {
        var state = new LeakyThrottleState(ThrottleConfig.Parse("iops-total=100"), 0);
        for (var i = 0; i < 20; i++)
        {
            state.Account(ThrottleDirection.Read, 4096);
        }

        state.Reconfigure(ThrottleConfig.Parse("iops-total=100"), 0);
        Assert.Equal(20, state[BucketKind.IopsTotal].Level);
        Assert.Equal(100_000_000, state.ComputeWait(ThrottleDirection.Read, 0));
    }

    [Fact]
    public void Reconfigure_Keep_ClampsUsedCreditToTheNewCapacityAndKeepsTheOverdraft()
    {
        var state = new LeakyThrottleState(ThrottleConfig.Parse("iops-total=1000"), 0);
        for (var i = 0; i < 101; i++)
        {
            state.Account(ThrottleDirection.Read, 4096); // capacity 100, overdrawn by 1
        }

        state.Reconfigure(ThrottleConfig.Parse("iops-total=10"), 0);
        Assert.Equal(2, state[BucketKind.IopsTotal].Level); // new capacity 1 + the overdraft of 1
        Assert.Equal(100_000_000, state.ComputeWait(ThrottleDirection.Read, 0)); // 1 op over at 10/s

        state.Reconfigure(ThrottleConfig.Parse("iops-total=1000"), 0);
        Assert.Equal(0, state.ComputeWait(ThrottleDirection.Read, 0));
    }

    [Fact]
    public void Reconfigure_Keep_StartsANewlyEnabledBucketEmpty()
    {
        var state = new LeakyThrottleState(ThrottleConfig.Unlimited, 0);
        for (var i = 0; i < 1000; i++)
        {
            state.Account(ThrottleDirection.Write, 4096);
        }

        state.Reconfigure(ThrottleConfig.Parse("iops-write=10"), 0);
        Assert.Equal(0, state[BucketKind.IopsWrite].Level);
    }

    [Fact]
    public void Reconfigure_Keep_SettlesTheLeakUnderTheOldRateFirst()
    {
        var state = new LeakyThrottleState(ThrottleConfig.Parse("iops-total=100"), 0);
        for (var i = 0; i < 10; i++)
        {
            state.Account(ThrottleDirection.Read, 1);
        }

        state.Reconfigure(ThrottleConfig.Parse("iops-total=1000"), 50_000_000); // 50 ms at 100/s leaked 5
        Assert.Equal(5, state[BucketKind.IopsTotal].Level, 1e-9);
    }

    [Fact]
    public void GetBuckets_ReportsFillCreditAndBurstSecondsLeft_WithoutChangingTheState()
    {
        var state = new LeakyThrottleState(ThrottleConfig.Parse("iops-total=100,iops-total-max=2000,iops-total-max-length=60"), 0);
        var idle = state.GetBuckets(0)[(int)BucketKind.IopsTotal];
        Assert.Equal(120_000, idle.Capacity);
        Assert.Equal(120_000, idle.Credit);
        Assert.Equal(120_000.0 / 1900, idle.BurstSecondsLeft, 1e-9);
        Assert.Equal(0, idle.Fill);

        for (var i = 0; i < 60_000; i++)
        {
            state.Account(ThrottleDirection.Read, 512);
        }

        var half = state.GetBuckets(0)[(int)BucketKind.IopsTotal];
        Assert.Equal(0.5, half.Fill, 1e-9);
        var later = state.GetBuckets(10_000_000_000)[(int)BucketKind.IopsTotal]; // 10 s leaks 1000
        Assert.Equal(59_000, later.Level, 1e-6);
        Assert.Equal(60_000, state[BucketKind.IopsTotal].Level); // reading statistics leaked nothing
    }
}
