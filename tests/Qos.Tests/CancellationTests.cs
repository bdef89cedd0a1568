namespace ThrottleFs.Qos.Tests;

/// <summary>A waiting request can be cancelled (FUSE INTERRUPT): it leaves the queue without being charged.</summary>
public class CancellationTests
{
    private readonly VirtualClock _clock = new();

    [Fact]
    public async Task CancelledWhileQueued_FailsWithOperationCanceled()
    {
        var member = new ThrottleGroup("g", ThrottleConfig.Parse("iops-total=1"), _clock).Join("file");
        Assert.True(member.AdmitAsync(ThrottleDirection.Read, 1).IsCompleted);
        using var cts = new CancellationTokenSource();
        var waiting = member.AdmitAsync(ThrottleDirection.Read, 1, cts.Token);
        Assert.False(waiting.IsCompleted);

        await cts.CancelAsync();
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting);
        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.Equal(0, member.GetStatistics().Read.QueueDepth);
    }

    [Fact]
    public void CancelledRequest_IsNotCharged_TheNextOneGoesWhenItWouldHave()
    {
        var member = new ThrottleGroup("g", ThrottleConfig.Parse("iops-total=100"), _clock).Join("file");
        for (var i = 0; i < 11; i++)
        {
            Assert.True(member.AdmitAsync(ThrottleDirection.Read, 1).IsCompleted);
        }

        using var cts = new CancellationTokenSource();
        var cancelled = member.AdmitAsync(ThrottleDirection.Read, 1, cts.Token);
        var next = member.AdmitAsync(ThrottleDirection.Read, 1);
        var after = member.AdmitAsync(ThrottleDirection.Read, 1);
        cts.Cancel();
        Assert.True(cancelled.IsCanceled);

        _clock.AdvanceTo(TimeSpan.FromMilliseconds(10));
        Assert.True(next.IsCompletedSuccessfully); // takes the cancelled request's slot
        _clock.AdvanceTo(TimeSpan.FromMilliseconds(19.9));
        Assert.False(after.IsCompleted);
        _clock.AdvanceTo(TimeSpan.FromMilliseconds(20));
        Assert.True(after.IsCompletedSuccessfully);
        Assert.Equal(13, member.GetStatistics().Read.Ops);
        next.GetAwaiter().GetResult();
        after.GetAwaiter().GetResult();
    }

    [Fact]
    public void AlreadyCancelledToken_FailsAtOnce_WithoutTouchingTheBuckets()
    {
        var group = new ThrottleGroup("g", ThrottleConfig.Parse("iops-total=1"), _clock);
        var member = group.Join("file");
        var cancelled = member.AdmitAsync(ThrottleDirection.Write, 1, new CancellationToken(canceled: true));
        Assert.True(cancelled.IsCanceled);
        Assert.True(member.AdmitAsync(ThrottleDirection.Write, 1).IsCompleted); // the first real request still passes
    }

    [Fact]
    public void CancelledAtTheInnerLayer_WasChargedAtTheOuterLayerOnly()
    {
        var file = new ThrottleGroup("file", ThrottleConfig.Parse("iops-total=1000"), _clock).Join("f");
        var mount = new ThrottleGroup("mount", ThrottleConfig.Parse("iops-total=1"), _clock).Join("f");
        var chain = new ThrottleChain(file, mount);
        Assert.True(chain.AdmitAsync(ThrottleDirection.Read, 1).IsCompleted);

        using var cts = new CancellationTokenSource();
        var waiting = chain.AdmitAsync(ThrottleDirection.Read, 1, cts.Token);
        Assert.False(waiting.IsCompleted);
        cts.Cancel();
        Assert.True(waiting.IsCanceled);

        Assert.Equal(2, file.GetStatistics().Read.Ops);
        Assert.Equal(1, mount.GetStatistics().Read.Ops);
        Assert.Equal(0, mount.GetStatistics().Read.QueueDepth);
    }

    [Fact]
    public void CancellingAfterAdmission_ChangesNothing()
    {
        var member = new ThrottleGroup("g", ThrottleConfig.Parse("iops-total=100"), _clock).Join("file");
        for (var i = 0; i < 11; i++)
        {
            member.AdmitAsync(ThrottleDirection.Read, 1).GetAwaiter().GetResult();
        }

        using var cts = new CancellationTokenSource();
        var request = member.AdmitAsync(ThrottleDirection.Read, 1, cts.Token);
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True(request.IsCompletedSuccessfully);
        cts.Cancel();
        request.GetAwaiter().GetResult();
        Assert.Equal(12, member.GetStatistics().Read.Ops);
    }

    [Fact]
    public async Task ManyConcurrentCancellations_UnderARealClock_LeaveNothingQueued()
    {
        // Races cancellation against release with real timers and threads; every request ends exactly once.
        using var group = new ThrottleGroup("g", ThrottleConfig.Parse("iops-total=2000"));
        var members = Enumerable.Range(0, 4).Select(i => group.Join($"m{i}")).ToArray();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4000).Select(async i =>
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(i % 50));
            try
            {
                await members[i % 4].AdmitAsync((ThrottleDirection)(i % 2), 4096, cts.Token);
                return 1;
            }
            catch (OperationCanceledException)
            {
                return 0;
            }
        }));

        var stats = group.GetStatistics();
        Assert.Equal(0, stats.Read.QueueDepth + stats.Write.QueueDepth);
        Assert.Equal(outcomes.Sum(), stats.Read.Ops + stats.Write.Ops);
        Assert.InRange(outcomes.Sum(), 200, 3999);
    }
}
