namespace ThrottleFs.Qos.Tests;

/// <summary>Groups after QEMU's throttle-groups.c: fairness, shared totals, reconfiguration, leaving, disposal.</summary>
public class ThrottleGroupTests : VirtualTimeTest
{

    [Fact]
    public void TwoSaturatingMembers_ShareEvenlyByRequestCount()
    {
        var group = Group("iops-total=100");
        var a = new Workload(group.Join("a"), ThrottleDirection.Read, 4096);
        var b = new Workload(group.Join("b"), ThrottleDirection.Read, 4096);
        Until(TimeSpan.FromSeconds(1), a, b);
        var (a1, b1) = (a.Admitted, b.Admitted);
        Until(TimeSpan.FromSeconds(11), a, b);

        Assert.Equal(500, a.Admitted - a1);
        Assert.Equal(500, b.Admitted - b1);
    }

    [Fact]
    public void ThreeSaturatingMembers_ShareEvenlyByRequestCount_EvenWithDifferentSizes()
    {
        var group = Group("iops-total=100");
        var loads = new[]
        {
            new Workload(group.Join("a"), ThrottleDirection.Read, 512),
            new Workload(group.Join("b"), ThrottleDirection.Read, 4096),
            new Workload(group.Join("c"), ThrottleDirection.Read, 1 << 20),
        };
        Until(TimeSpan.FromSeconds(1), loads);
        var before = loads.Select(l => l.Admitted).ToArray();
        Until(TimeSpan.FromSeconds(11), loads);

        var shares = loads.Select((l, i) => l.Admitted - before[i]).ToArray();
        Assert.Equal(1000, shares.Sum());
        Assert.All(shares, share => Assert.InRange(share, 333, 334));
    }

    [Fact]
    public void OneActiveMemberOfThree_GetsTheWholeGroupLimit()
    {
        var group = Group("iops-total=100");
        group.Join("idle-1");
        var busy = new Workload(group.Join("busy"), ThrottleDirection.Read, 4096);
        group.Join("idle-2");
        Until(TimeSpan.FromSeconds(1), busy);
        var at1 = busy.Admitted;
        Until(TimeSpan.FromSeconds(11), busy);
        Assert.Equal(1000, busy.Admitted - at1);
    }

    [Fact]
    public void ReadsAndWrites_ShareTheTotalLimit()
    {
        var member = Group("iops-total=100").Join("file");
        var reads = new Workload(member, ThrottleDirection.Read, 4096);
        var writes = new Workload(member, ThrottleDirection.Write, 4096);
        Until(TimeSpan.FromSeconds(1), reads, writes);
        var (r1, w1) = (reads.Admitted, writes.Admitted);
        Until(TimeSpan.FromSeconds(11), reads, writes);

        Assert.Equal(500, reads.Admitted - r1);
        Assert.Equal(500, writes.Admitted - w1);
    }

    [Fact]
    public void ReadAndWriteLimits_AreIndependent()
    {
        var member = Group("iops-read=100,iops-write=10").Join("file");
        var reads = new Workload(member, ThrottleDirection.Read, 4096);
        var writes = new Workload(member, ThrottleDirection.Write, 4096);
        Until(TimeSpan.FromSeconds(1), reads, writes);
        var (r1, w1) = (reads.Admitted, writes.Admitted);
        Until(TimeSpan.FromSeconds(11), reads, writes);

        Assert.Equal(1000, reads.Admitted - r1);
        Assert.Equal(100, writes.Admitted - w1);
    }

    [Fact]
    public void LoweringALimitWhileSaturated_TakesEffectOnQueuedRequestsAtOnce()
    {
        var group = Group("iops-total=100");
        var load = new Workload(group.Join("file"), ThrottleDirection.Read, 4096);
        Until(TimeSpan.FromSeconds(5), load);

        group.Reconfigure(ThrottleConfig.Parse("iops-total=10"));
        Until(TimeSpan.FromSeconds(6), load);
        var at6 = load.Admitted;
        Until(TimeSpan.FromSeconds(16), load);
        Assert.Equal(100, load.Admitted - at6);
    }

    [Fact]
    public void RaisingALimitWhileSaturated_ReleasesQueuedRequestsImmediately()
    {
        var group = Group("iops-total=10");
        var load = new Workload(group.Join("file"), ThrottleDirection.Read, 4096);
        Until(TimeSpan.FromSeconds(5), load);
        var before = load.Admitted;

        group.Reconfigure(ThrottleConfig.Parse("iops-total=1000"));
        Assert.True(load.Collect() - before >= 60, "queued requests were released without waiting for the old timer");

        Until(TimeSpan.FromSeconds(6), load);
        var at6 = load.Admitted;
        Until(TimeSpan.FromSeconds(8), load);
        Assert.Equal(2000, load.Admitted - at6);
    }

    [Fact]
    public void ReapplyingTheSameLimits_WithReset_RestoresTheBurst_WithKeep_ChangesNothing()
    {
        // QEMU resets levels on every configuration: re-applying iops-total=100 frees ≈11 queued requests at once.
        var group = Group("iops-total=100");
        var load = new Workload(group.Join("file"), ThrottleDirection.Read, 4096);
        Until(TimeSpan.FromSeconds(2.005), load);

        var before = load.Admitted;
        group.Reconfigure(ThrottleConfig.Parse("iops-total=100"));
        Assert.Equal(before, load.Collect());

        group.Reconfigure(ThrottleConfig.Parse("iops-total=100,on-change=reset"));
        Assert.Equal(before + 11, load.Collect());
    }

    [Fact]
    public void RemovingEveryLimit_ReleasesEverythingQueued()
    {
        var group = Group("iops-total=1");
        var member = group.Join("file");
        var queued = Enumerable.Range(0, 50).Select(_ => member.AdmitAsync(ThrottleDirection.Write, 4096)).ToList();
        Assert.Equal(1, queued.Count(t => t.IsCompleted));

        group.Reconfigure(ThrottleConfig.Unlimited);
        Assert.All(queued, t => Assert.True(t.IsCompletedSuccessfully));
        Assert.False(group.Config.IsEnabled);
        queued.ForEach(t => t.GetAwaiter().GetResult());
    }

    [Fact]
    public void AnInvalidReconfiguration_IsRefusedAndTheOldLimitsStay()
    {
        var group = Group("iops-total=100");
        var error = Assert.Throws<ThrottleConfigException>(() => group.Reconfigure(ThrottleConfig.Unlimited with
        {
            IopsTotal = new(100, 0, 1),
            IopsRead = new(5, 0, 1),
        }));
        Assert.Contains("iops-total and iops-read/iops-write", error.Message);
        Assert.Equal(ThrottleConfig.Parse("iops-total=100"), group.Config);
    }

    [Fact]
    public void RemovingAGroupMember_DrainsItsRequestsAndLeavesTheOthersThrottled()
    {
        // iotest 093 test_remove_group_member: bps-read=4096 on two drives (capacity 409.6 B).
        var group = Group("bps-read=4096");
        var drive0 = group.Join("drive0");
        var drive1 = group.Join("drive1");

        Assert.True(drive0.AdmitAsync(ThrottleDirection.Read, 4096).IsCompleted);
        var d0a = drive0.AdmitAsync(ThrottleDirection.Read, 2048);
        var d0b = drive0.AdmitAsync(ThrottleDirection.Read, 2048);
        var d1 = drive1.AdmitAsync(ThrottleDirection.Read, 4096);
        Assert.False(d0a.IsCompleted || d0b.IsCompleted || d1.IsCompleted);

        drive0.Dispose();
        Assert.True(d0a.IsCompletedSuccessfully && d0b.IsCompletedSuccessfully);
        Assert.False(d1.IsCompleted);
        Assert.Null(drive0.Group);
        Assert.Equal(8192, drive0.GetStatistics().Read.Bytes);

        Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(d1.IsCompletedSuccessfully);
        Assert.Equal(4096, drive1.GetStatistics().Read.Bytes);
        drive0.Dispose(); // idempotent
        foreach (var t in new[] { d0a, d0b, d1 })
        {
            t.GetAwaiter().GetResult();
        }
    }

    [Fact]
    public void AMemberThatLeft_PassesEverything()
    {
        var group = Group("iops-total=1");
        var member = group.Join("file");
        member.Dispose();
        for (var i = 0; i < 100; i++)
        {
            Assert.True(member.AdmitAsync(ThrottleDirection.Read, 4096).IsCompletedSuccessfully);
        }
    }

    [Fact]
    public void MembersOfOneGroup_ShareOneState_OtherGroupsDoNot()
    {
        // QEMU /throttle/groups: members 1 and 3 in "bar", 2 in "foo".
        var bar = Group("iops-total=10");
        var foo = Group("iops-total=10");
        var m1 = bar.Join("1");
        var m2 = foo.Join("2");
        var m3 = bar.Join("3");
        Assert.Same(m1.Group, m3.Group);
        Assert.NotSame(m1.Group, m2.Group);

        m1.Group!.Reconfigure(ThrottleConfig.Parse("iops-total=20"));
        Assert.Equal(20, m3.Group!.Config.IopsTotal.Avg);
        Assert.Equal(10, m2.Group!.Config.IopsTotal.Avg);

        for (var i = 0; i < 2; i++)
        {
            Assert.True(m1.AdmitAsync(ThrottleDirection.Read, 1).IsCompleted); // capacity 2 shared by 1 and 3 ...
        }

        Assert.True(m3.AdmitAsync(ThrottleDirection.Read, 1).IsCompleted); // ... the third fills it (level 2 ≤ 2)
        Assert.False(m3.AdmitAsync(ThrottleDirection.Read, 1).IsCompleted);
        Assert.True(m2.AdmitAsync(ThrottleDirection.Read, 1).IsCompleted); // foo is untouched
    }

    [Fact]
    public void DisposingTheGroup_FailsWaitingRequests_AndRefusesNewOnes()
    {
        var group = Group("iops-total=1");
        var member = group.Join("file");
        Assert.True(member.AdmitAsync(ThrottleDirection.Read, 1).IsCompleted);
        var waiting = member.AdmitAsync(ThrottleDirection.Read, 1);

        group.Dispose();
        Assert.True(waiting.IsFaulted);
        Assert.Throws<ObjectDisposedException>(() => waiting.GetAwaiter().GetResult());
        var after = member.AdmitAsync(ThrottleDirection.Read, 1);
        Assert.True(after.IsFaulted);
        Assert.Throws<ObjectDisposedException>(() => group.Join("late"));
        group.Dispose(); // idempotent
    }

    [Fact]
    public void Statistics_CountWhatWasAdmittedAndWhatWaits()
    {
        var group = Group("iops-total=100");
        var a = group.Join("a");
        var reads = new Workload(a, ThrottleDirection.Read, 4096, depth: 8);
        var writes = new Workload(group.Join("b"), ThrottleDirection.Write, 65536, depth: 8);
        Until(TimeSpan.FromSeconds(2), reads, writes);

        var stats = group.GetStatistics();
        Assert.Equal("g", stats.Name);
        Assert.Equal(reads.Admitted, stats.Read.Ops);
        Assert.Equal(reads.Admitted * 4096L, stats.Read.Bytes);
        Assert.Equal(writes.Admitted, stats.Write.Ops);
        Assert.Equal(writes.Admitted * 65536L, stats.Write.Bytes);
        Assert.Equal(8, stats.Read.QueueDepth);
        Assert.Equal(8, stats.Write.QueueDepth);
        Assert.Equal(stats.Read.Ops - 11, stats.Read.Throttled);
        Assert.InRange(stats.Read.MaxWait, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));
        Assert.InRange(stats.Read.WaitP99, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250));
        Assert.True(stats.Read.WaitP50 > TimeSpan.Zero);
        Assert.Equal(2, stats.Members.Count);

        var member = a.GetStatistics();
        Assert.Equal("a", member.Name);
        Assert.Equal(reads.Admitted, member.Read.Ops);
        Assert.Equal(0, member.Write.Ops);

        var iops = stats.Buckets[(int)BucketKind.IopsTotal];
        Assert.Equal(100, iops.Avg);
        Assert.Equal(10, iops.Capacity);
        Assert.Equal(1, iops.Fill); // saturated
        Assert.Equal(0, stats.Buckets[(int)BucketKind.BpsTotal].Avg);
    }
}
