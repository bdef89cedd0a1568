namespace ThrottleFs.Qos.Tests;

/// <summary>What every bucket algorithm must do, run against each of them.</summary>
public abstract class AlgorithmContractTests
{
    private readonly VirtualClock _clock = new();

    protected abstract string Algorithm { get; }

    [Fact]
    public void Unlimited_AdmitsEverythingSynchronously()
    {
        var member = Member("");
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(member.AdmitAsync(ThrottleDirection.Read, 1 << 20).IsCompletedSuccessfully);
        }
    }

    [Fact]
    public void QueuedRequests_AreAdmittedInOrder_AndANewOneNeverOvertakes()
    {
        var member = Member("bps-read=10K");
        var big = new List<ValueTask>();
        while (big.Count == 0 || big[^1].IsCompleted)
        {
            big.Add(member.AdmitAsync(ThrottleDirection.Read, 8192));
        }

        var small = member.AdmitAsync(ThrottleDirection.Read, 1); // would fit the bucket sooner than the big one
        var order = new List<int>();
        for (var ms = 0; ms < 5000 && order.Count < 2; ms += 10)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(10));
            if (big[^1].IsCompleted && !order.Contains(0))
            {
                order.Add(0);
            }

            if (small.IsCompleted && !order.Contains(1))
            {
                order.Add(1);
            }
        }

        Assert.Equal([0, 1], order);
    }

    [Fact]
    public void ReadsDoNotWaitForWrites_UnderSeparateLimits()
    {
        var member = Member("iops-write=1,iops-read=1000");
        while (member.AdmitAsync(ThrottleDirection.Write, 4096).IsCompleted)
        {
        }

        Assert.True(member.AdmitAsync(ThrottleDirection.Read, 4096).IsCompleted);
    }

    [Fact]
    public void CancelledRequest_LeavesTheQueueAndIsNotCounted()
    {
        var member = Member("iops-total=10");
        using var cts = new CancellationTokenSource();
        var waiting = member.AdmitAsync(ThrottleDirection.Read, 1, cts.Token);
        while (waiting.IsCompleted)
        {
            waiting = member.AdmitAsync(ThrottleDirection.Read, 1, cts.Token);
        }

        var admitted = member.GetStatistics().Read.Ops;
        Assert.Equal(1, member.GetStatistics().Read.QueueDepth);
        cts.Cancel();
        Assert.True(waiting.IsCanceled);
        Assert.Equal(admitted, member.GetStatistics().Read.Ops);
        Assert.Equal(0, member.GetStatistics().Read.QueueDepth);
    }

    [Fact]
    public void Disposal_FailsEveryWaiter()
    {
        var member = Member("iops-total=10");
        var waiting = Enumerable.Range(0, 100).Select(_ => member.AdmitAsync(ThrottleDirection.Write, 1)).Where(t => !t.IsCompleted).ToList();
        Assert.NotEmpty(waiting);
        member.Group!.Dispose();
        Assert.All(waiting, t => Assert.True(t.IsFaulted));
    }

    [Fact]
    public void BadOptions_AreRefused()
    {
        var error = Assert.Throws<ThrottleConfigException>(() => Member("iops-total=100,iops-total-max=50"));
        Assert.Equal(["iops-total-max cannot be lower than iops-total"], error.Errors);
    }

    [Fact]
    public void NegativeSizes_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Member("iops-total=10").AdmitAsync(ThrottleDirection.Read, -1));
    }

    [Fact]
    public void SustainedRate_MatchesTheLimit()
    {
        var load = new Workload(Member("iops-total=200"), ThrottleDirection.Read, 4096);
        Workload.Run(_clock, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(1), load);
        var at2 = load.Admitted;
        Workload.Run(_clock, TimeSpan.FromSeconds(7), TimeSpan.FromMilliseconds(1), load);
        Assert.Equal(1000, load.Admitted - at2);
    }

    private ThrottleGroupMember Member(string spec) =>
        new ThrottleGroup("g", ThrottleConfig.Parse($"{spec} algorithm={Algorithm}"), _clock).Join("file");
}

public sealed class LeakyAlgorithmContractTests : AlgorithmContractTests
{
    protected override string Algorithm => "leaky";
}

public sealed class TokenAlgorithmContractTests : AlgorithmContractTests
{
    protected override string Algorithm => "token";
}
