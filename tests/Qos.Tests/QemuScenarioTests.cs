namespace ThrottleFs.Qos.Tests;

/// <summary>
/// Five scenarios of QEMU's bucket model (S1–S5, each stated in its name) and the observable forms of QEMU's
/// /throttle/compute_wait test (tests/unit/test-throttle.c), through a real <see cref="ThrottleGroup"/> under a
/// virtual clock: one member, one direction, a client that issues its next request the instant one is admitted.
/// Exact counts.
/// </summary>
public class QemuScenarioTests : VirtualTimeTest
{

    [Fact]
    public void S1_IopsTotal100_Admits11AtOnceThenOneEvery10Ms()
    {
        var load = Saturate("iops-total=100", 4096);
        Assert.Equal(11, load.Admitted);

        Until(TimeSpan.FromMilliseconds(9.9), load);
        Assert.Equal(11, load.Admitted);
        Until(TimeSpan.FromMilliseconds(10), load);
        Assert.Equal(12, load.Admitted);

        Until(TimeSpan.FromSeconds(1), load);
        Assert.Equal(111, load.Admitted);
        Until(TimeSpan.FromSeconds(10), load);
        Assert.Equal(1011, load.Admitted);
        Until(TimeSpan.FromSeconds(11), load);
        Assert.Equal(1111, load.Admitted); // 100.0 per second in steady state
    }

    [Fact]
    public void S2_BurstOf2000For60Seconds_DocsExample()
    {
        var load = Saturate("iops-total=100,iops-total-max=2000,iops-total-max-length=60", 512);
        Assert.Equal(201, load.Admitted); // the burst bucket (max/10 = 200) limits the instant burst

        Until(TimeSpan.FromMilliseconds(0.5), load);
        Assert.Equal(202, load.Admitted);
        Until(TimeSpan.FromSeconds(1), load);
        Assert.Equal(2201, load.Admitted);
        Until(TimeSpan.FromSeconds(10), load);
        Assert.Equal(20_201, load.Admitted);

        // The main bucket (120,000) fills after (120000 − 200)/1900 = 63.05 s; then 100/s.
        Until(TimeSpan.FromSeconds(63), load);
        Assert.Equal(126_201, load.Admitted);
        Until(TimeSpan.FromSeconds(64), load);
        var afterBurst = load.Admitted;
        Assert.InRange(afterBurst, 126_306, 126_306 + 100);
        Until(TimeSpan.FromSeconds(70), load);
        Assert.Equal(600, load.Admitted - afterBurst);
    }

    [Fact]
    public void S2_BurstEndsAtIndex126306()
    {
        var load = Saturate("iops-total=100,iops-total-max=2000,iops-total-max-length=60", 512);
        Until(TimeSpan.FromMilliseconds(63_052.5), load);
        Assert.Equal(126_306, load.Admitted); // the last admission at the burst rate [sim]
        Until(TimeSpan.FromMilliseconds(63_053), load);
        Assert.Equal(126_306, load.Admitted); // then the average rate: the next one is ~10 ms later
    }

    [Fact]
    public void S2_AfterSixtySecondsIdle_TheBurstComesBackInProportion()
    {
        var member = new ThrottleGroup("g", ThrottleConfig.Parse("iops-total=100,iops-total-max=2000,iops-total-max-length=60"), Clock).Join("file");
        var load = new Workload(member, ThrottleDirection.Read, 512);
        Until(TimeSpan.FromSeconds(70), load);

        // Stop offering load; the 64 still queued finish within 0.64 s, at 70.64 s.
        Clock.AdvanceTo(TimeSpan.FromSeconds(70.64));
        load.Collect();
        Assert.Equal(0, load.Outstanding);

        // Idle 60 s: 6,000 units of credit come back (of 120,000).
        Clock.AdvanceTo(TimeSpan.FromSeconds(130.64));
        var again = new Workload(member, ThrottleDirection.Read, 512);
        again.Pump();
        Assert.Equal(201, again.Admitted);
        Until(TimeSpan.FromSeconds(133.64), again);
        Assert.Equal(6201, again.Admitted); // still bursting at 2000/s three seconds in
        Until(TimeSpan.FromSeconds(133.692), again);
        Assert.Equal(6305, again.Admitted); // the re-burst ends after ≈3.05 s with ≈6,305 ops [sim]
        Until(TimeSpan.FromSeconds(140.64), again);
        Assert.Equal(6999, again.Admitted); // then 100/s
    }

    [Fact]
    public void S3_IopsSize4K_With64KRequests_CountsSixteenEach()
    {
        var load = Saturate("iops-total=100,iops-size=4096", 65536);
        Assert.Equal(1, load.Admitted);
        foreach (var (ms, admitted) in new[] { (59.9, 1), (60, 2), (219.9, 2), (220, 3), (380, 4), (540, 5) })
        {
            Until(TimeSpan.FromMilliseconds(ms), load);
            Assert.Equal(admitted, load.Admitted);
        }

        Until(TimeSpan.FromSeconds(1), load);
        Assert.Equal(7, load.Admitted);
        Until(TimeSpan.FromSeconds(10), load);
        Assert.Equal(64, load.Admitted); // 6.25 requests/s = 409,600 B/s
    }

    [Theory]
    [InlineData(2048, 11, 100)]
    [InlineData(4096, 11, 100)]
    [InlineData(6144, 7, 66.67)]
    [InlineData(8192, 6, 50)]
    public void S3_OtherSizes_InstantBurstAndSteadyRate(long size, int instant, double perSecond)
    {
        var load = Saturate("iops-total=100,iops-size=4096", size);
        Assert.Equal(instant, load.Admitted);
        Until(TimeSpan.FromSeconds(3), load);
        var at3 = load.Admitted;
        Until(TimeSpan.FromSeconds(9), load);
        Assert.Equal(perSecond * 6, load.Admitted - at3, 1.0);
    }

    [Fact]
    public void S4_Bps1MiB_With64KRequests()
    {
        var load = Saturate("bps-total=1M", 65536);
        Assert.Equal(2, load.Admitted);
        Until(TimeSpan.FromMilliseconds(24.9), load);
        Assert.Equal(2, load.Admitted);
        Until(TimeSpan.FromMilliseconds(25), load);
        Assert.Equal(3, load.Admitted);
        Until(TimeSpan.FromMilliseconds(87.5), load);
        Assert.Equal(4, load.Admitted);
        Until(TimeSpan.FromSeconds(10), load);
        Assert.Equal(162, load.Admitted);
    }

    [Theory]
    [InlineData(4096, 100)]  // iops-bound
    [InlineData(65536, 16)]  // bps-bound
    public void S4_BpsAndIopsTogether_TheTighterBucketWins(long size, int perSecond)
    {
        var load = Saturate("bps-total=1M,iops-total=100", size);
        Until(TimeSpan.FromSeconds(2), load);
        var at2 = load.Admitted;
        Until(TimeSpan.FromSeconds(12), load);
        Assert.Equal(perSecond * 10, load.Admitted - at2);
    }

    [Fact]
    public void S5_BurstLengthOne_HasNoBurstRateBucket()
    {
        var load = Saturate("iops-total=100,iops-total-max=2000", 4096);
        Assert.Equal(2001, load.Admitted);
        Until(TimeSpan.FromSeconds(1), load);
        Assert.Equal(2101, load.Admitted);
    }

    [Fact]
    public void S5_BurstLengthTwo_BurstsAtMaxForTwoSeconds()
    {
        var load = Saturate("iops-total=100,iops-total-max=2000,iops-total-max-length=2", 4096);
        Assert.Equal(201, load.Admitted);
        Until(TimeSpan.FromSeconds(1), load);
        Assert.Equal(2201, load.Admitted);
        Until(TimeSpan.FromSeconds(2), load);
        Assert.Equal(4201, load.Admitted);
        Until(TimeSpan.FromSeconds(3), load);
        Assert.Equal(4301, load.Admitted);
        Until(TimeSpan.FromSeconds(5), load);
        Assert.Equal(4501, load.Admitted);
    }

    [Fact]
    public void S5_MaxEqualToAvg_GivesOneSecondOfCredit()
    {
        var load = Saturate("iops-total=100,iops-total-max=100", 4096);
        Assert.Equal(101, load.Admitted);
        Until(TimeSpan.FromSeconds(1), load);
        Assert.Equal(201, load.Admitted);
    }

    [Fact]
    public void ComputeWait_Observable_LevelExactlyAtCapacityAdmitsAndHalfAnOpOverWaitsFor3333333Ns()
    {
        // iops-total=150 has capacity 15. 14 × 512 B (1 op each), one 1536 B (1.5 ops at iops-size 1024), then one more.
        var member = new ThrottleGroup("g", ThrottleConfig.Parse("iops-total=150,iops-size=1024"), Clock).Join("file");
        for (var i = 0; i < 14; i++)
        {
            Assert.True(member.AdmitAsync(ThrottleDirection.Read, 512).IsCompleted);
        }

        Assert.True(member.AdmitAsync(ThrottleDirection.Read, 1536).IsCompleted); // level 14 ≤ 15: admitted, now 15.5
        var sixteenth = member.AdmitAsync(ThrottleDirection.Read, 512);
        Assert.False(sixteenth.IsCompleted);

        Clock.AdvanceToNs(3_333_299);
        Assert.False(sixteenth.IsCompleted);
        Clock.AdvanceToNs(3_333_400); // 3,333,333 ns rounded up to the timer's 100 ns resolution
        Assert.True(sixteenth.IsCompleted);
        sixteenth.GetAwaiter().GetResult();
    }

    [Fact]
    public void ComputeWait_Observable_ClientAtExactlyTheBurstRateIsNeverDelayedUntilTheMainBucketFills()
    {
        // iops-total=10, max 200, length 2: 20 ops every 100 ms.
        var member = new ThrottleGroup("g", ThrottleConfig.Parse("iops-total=10,iops-total-max=200,iops-total-max-length=2"), Clock).Join("file");
        var delayed = new List<ValueTask>();
        for (var batch = 0; batch <= 21; batch++)
        {
            Clock.AdvanceTo(TimeSpan.FromMilliseconds(100 * batch));
            var immediate = 0;
            for (var i = 0; i < 20; i++)
            {
                var task = member.AdmitAsync(ThrottleDirection.Write, 4096);
                if (task.IsCompleted)
                {
                    task.GetAwaiter().GetResult();
                    immediate++;
                }
                else
                {
                    delayed.Add(task);
                }
            }

            Assert.Equal(batch < 21 ? 20 : 2, immediate);
        }

        Clock.AdvanceTo(TimeSpan.FromMilliseconds(2199.9));
        Assert.False(delayed[0].IsCompleted);
        Clock.AdvanceTo(TimeSpan.FromMilliseconds(2200));
        Assert.True(delayed[0].IsCompleted);
        Assert.False(delayed[1].IsCompleted);
        Clock.AdvanceTo(TimeSpan.FromMilliseconds(2300));
        Assert.True(delayed[1].IsCompleted); // then 10/s
        Assert.False(delayed[2].IsCompleted);
    }

    [Theory]
    [InlineData("iops-total", 10, 512)]
    [InlineData("iops-read", 10, 512)]
    [InlineData("bps-total", 4096, 512)]
    [InlineData("bps-read", 4096, 512)]
    public void Iotest093_Burst_SevenTimesTheRateForFourSecondsThenTheRate(string bucket, long rate, long size)
    {
        // tests/qemu-iotests/093 test_burst: max = 7 × rate, max-length = 4; QEMU's own ±10 % criterion.
        var load = Saturate($"{bucket}={rate},{bucket}-max={7 * rate},{bucket}-max-length=4", size);
        var perSecond = (double)rate / (bucket.StartsWith("bps", StringComparison.Ordinal) ? size : 1);
        Until(TimeSpan.FromSeconds(4), load);
        Assert.InRange(load.Admitted, 0.9 * 4 * 7 * perSecond, 1.1 * 4 * 7 * perSecond);
        Until(TimeSpan.FromSeconds(5), load); // the burst bucket runs out a little after 4 s
        var at5 = load.Admitted;
        Until(TimeSpan.FromSeconds(10), load);
        Assert.InRange(load.Admitted - at5, 0.9 * 5 * perSecond, 1.1 * 5 * perSecond);
    }
}
