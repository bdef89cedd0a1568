namespace ThrottleFs.Qos.Tests;

/// <summary>Layers: a request passes file → group → mount, admitted and charged at each in turn.</summary>
public class ThrottleChainTests : VirtualTimeTest
{

    [Fact]
    public void TheTightestLayer_SetsTheRate()
    {
        var file = Group("file", "iops-total=100").Join("f");
        var mount = Group("mount", "iops-total=10").Join("f");
        var load = new Workload(new ThrottleChain(file, mount), ThrottleDirection.Read, 4096);
        Until(TimeSpan.FromSeconds(2), load);
        var at2 = load.Admitted;
        Until(TimeSpan.FromSeconds(12), load);
        Assert.Equal(100, load.Admitted - at2);
    }

    [Fact]
    public void EveryLayer_IsCharged()
    {
        var file = Group("file", "bps-read=1M").Join("f");
        var group = Group("group", "iops-read=50").Join("f");
        var mount = Group("mount", "iops-total=1000").Join("f");
        var load = new Workload(new ThrottleChain(file, group, mount), ThrottleDirection.Read, 4096);
        Until(TimeSpan.FromSeconds(3), load);

        // A request is charged at a layer once it has passed every layer before it and this one.
        var submitted = load.Admitted + load.Outstanding;
        var waitingAtFile = file.GetStatistics().Read.QueueDepth;
        var waitingAtGroup = group.GetStatistics().Read.QueueDepth;
        var waitingAtMount = mount.GetStatistics().Read.QueueDepth;
        Assert.True(waitingAtFile + waitingAtGroup > 0);
        Assert.Equal(submitted - waitingAtFile, file.GetStatistics().Read.Ops);
        Assert.Equal(submitted - waitingAtFile - waitingAtGroup, group.GetStatistics().Read.Ops);
        Assert.Equal(submitted - waitingAtFile - waitingAtGroup - waitingAtMount, mount.GetStatistics().Read.Ops);
        Assert.Equal(load.Admitted, mount.GetStatistics().Read.Ops);
    }

    [Fact]
    public void AFileThrottledByItsOwnLimit_DoesNotSlowAnotherFileInTheSameGroup()
    {
        // Isolation: "slow" waits at its own layer, so the shared group and mount layers stay free for "fast".
        var groupState = Group("group", "iops-total=1000");
        var mountState = Group("mount", "iops-total=2000");
        var slow = new ThrottleChain(Group("slow", "iops-total=5").Join("slow"), groupState.Join("slow"), mountState.Join("slow"));
        var fast = new ThrottleChain(Group("fast", "").Join("fast"), groupState.Join("fast"), mountState.Join("fast"));
        var slowLoad = new Workload(slow, ThrottleDirection.Read, 4096, depth: 16);
        var fastLoad = new Workload(fast, ThrottleDirection.Read, 4096, depth: 16);
        Until(TimeSpan.FromSeconds(1), slowLoad, fastLoad);
        var (slow1, fast1) = (slowLoad.Admitted, fastLoad.Admitted);
        Until(TimeSpan.FromSeconds(11), slowLoad, fastLoad);

        // slow's 16 requests wait at its own 5/s layer and never crowd the group: fast gets the group's 1000/s less
        // the 5/s slow actually does. Had they queued in the group, round-robin would have halved fast's share.
        Assert.Equal(50, slowLoad.Admitted - slow1);
        Assert.Equal(9_950, fastLoad.Admitted - fast1);
    }

    [Fact]
    public void UncontendedChain_CompletesSynchronously()
    {
        var chain = new ThrottleChain(Group("a", "iops-total=1000").Join("f"), Group("b", "bps-total=1G").Join("f"));
        for (var i = 0; i < 100; i++)
        {
            Assert.True(chain.AdmitAsync(ThrottleDirection.Write, 4096).IsCompletedSuccessfully);
        }

        Assert.True(ThrottleChain.Empty.AdmitAsync(ThrottleDirection.Write, 1 << 30).IsCompletedSuccessfully);
    }

    [Fact]
    public void AnInnerGroupDisposedWhileARequestWaitsOutside_FailsTheRequestWhenItGetsThere()
    {
        var outer = Group("outer", "iops-total=1").Join("f");
        var innerGroup = Group("inner", "");
        var chain = new ThrottleChain(outer, innerGroup.Join("f"));
        Assert.True(chain.AdmitAsync(ThrottleDirection.Read, 1).IsCompleted);
        var waiting = chain.AdmitAsync(ThrottleDirection.Read, 1);

        innerGroup.Dispose();
        Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(waiting.IsFaulted);
        Assert.Throws<ObjectDisposedException>(() => waiting.GetAwaiter().GetResult());
    }

    [Fact]
    public async Task WaitingHoldsNoThread_TenThousandWaitersOnARealClock()
    {
        using var group = new ThrottleGroup("g", ThrottleConfig.Parse("iops-total=10000"));
        var member = group.Join("m");
        var threadsBefore = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
        var waits = Enumerable.Range(0, 10_000).Select(_ => member.AdmitAsync(ThrottleDirection.Read, 512).AsTask()).ToArray();
        Assert.True(waits.Count(t => !t.IsCompleted) > 8_500); // capacity 1000: the rest wait ≈0.9 s
        Assert.True(System.Diagnostics.Process.GetCurrentProcess().Threads.Count < threadsBefore + 20);
        await Task.WhenAll(waits);
        Assert.Equal(10_000, group.GetStatistics().Read.Ops);
    }
}
