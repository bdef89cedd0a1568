namespace ThrottleFs.Qos.Tests;

/// <summary>
/// Injected latency (<c>latency-read</c>, <c>latency-write</c>, <c>latency-jitter</c>, <c>latency-seed</c>): once
/// every layer has admitted a request, the latencies of its layers are added, on the group's clock, holding no thread.
/// Exact under the virtual clock: a request completes at the first instant its delay has run, not a tick before.
/// </summary>
public class LatencyTests : VirtualTimeTest
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    [Fact]
    public void ARead_CompletesItsLatencyAfterAdmission_AndAWriteWithoutOneAtOnce()
    {
        var chain = new ThrottleChain(Group("latency-read=20ms").Join("f"));

        var read = chain.AdmitAsync(ThrottleDirection.Read, 4096);
        var write = chain.AdmitAsync(ThrottleDirection.Write, 4096);

        Assert.True(write.IsCompletedSuccessfully);
        Clock.Advance(TimeSpan.FromMilliseconds(20) - Tick);
        Assert.False(read.IsCompleted);
        Clock.Advance(Tick);
        Assert.True(read.IsCompletedSuccessfully);
    }

    [Fact]
    public void TheLatency_FollowsTheBucketWait()
    {
        // iops-total=100 holds 10: eleven pass at once, the twelfth waits 10 ms for the bucket, then its 5 ms.
        var chain = new ThrottleChain(Group("iops-total=100,latency-write=5ms").Join("f"));
        var writes = Enumerable.Range(0, 12).Select(_ => chain.AdmitAsync(ThrottleDirection.Write, 512)).ToList();

        Clock.Advance(TimeSpan.FromMilliseconds(5));
        Assert.All(writes.Take(11), w => Assert.True(w.IsCompletedSuccessfully));
        Assert.False(writes[11].IsCompleted);
        Clock.Advance(TimeSpan.FromMilliseconds(10) - Tick);
        Assert.False(writes[11].IsCompleted);
        Clock.Advance(Tick);
        Assert.True(writes[11].IsCompletedSuccessfully);
    }

    [Fact]
    public void TheLayersLatencies_AddUp()
    {
        var chain = new ThrottleChain(Group("file", "latency-read=5ms").Join("f"), Group("group", "latency-read=3ms").Join("f"), Group("mount", "").Join("f"));

        var read = chain.AdmitAsync(ThrottleDirection.Read, 4096);

        Clock.Advance(TimeSpan.FromMilliseconds(8) - Tick);
        Assert.False(read.IsCompleted);
        Clock.Advance(Tick);
        Assert.True(read.IsCompletedSuccessfully);
    }

    [Fact]
    public void Jitter_StaysWithinItsRange_AndASeedRepeatsTheSequence()
    {
        var first = Delays("latency-read=10ms,latency-jitter=5ms,latency-seed=42", 200);
        var again = Delays("latency-read=10ms,latency-jitter=5ms,latency-seed=42", 200);
        var other = Delays("latency-read=10ms,latency-jitter=5ms,latency-seed=7", 200);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.All(first, d => Assert.InRange(d, 10_000_000, 15_000_000 - 1));
        Assert.True(first.Distinct().Count() > 150, "the jitter is drawn per request");

        // Uniform: about half above the middle of the range.
        Assert.InRange(first.Count(d => d >= 12_500_000), 70, 130);
    }

    [Fact]
    public void AReadCancelledDuringItsLatency_FailsAsCancelled_AndTheBucketKeepsItsCharge()
    {
        var group = Group("iops-read=10,latency-read=1s");
        var chain = new ThrottleChain(group.Join("f"));
        using var cancel = new CancellationTokenSource();

        var read = chain.AdmitAsync(ThrottleDirection.Read, 4096, cancel.Token);
        Clock.Advance(TimeSpan.FromMilliseconds(100));
        cancel.Cancel();

        Assert.True(read.IsCanceled);
        Assert.Equal(1, group.GetStatistics().Read.Ops); // admitted before its delay began
        Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(Clock.NextDueNs); // the delay's timer is gone
    }

    [Fact]
    public void APooledRequest_ReusesItsDelayTimer()
    {
        var chain = new ThrottleChain(Group("latency-write=1ms").Join("f"));
        for (var i = 0; i < 100; i++)
        {
            var write = chain.AdmitAsync(ThrottleDirection.Write, 512);
            Clock.Advance(TimeSpan.FromMilliseconds(1));
            Assert.True(write.IsCompletedSuccessfully);
            write.GetAwaiter().GetResult(); // gives the request back to the pool
        }

        Assert.Equal(TimeSpan.FromMilliseconds(100), Clock.Elapsed);
    }

    [Theory]
    [InlineData("latency-read=20ms", "latency-read=20ms")]
    [InlineData("latency-write=1.5s", "latency-write=1500ms")]
    [InlineData("latency_read=250us,latency-jitter=2m,latency-seed=-3", "latency-read=250us,latency-jitter=2m,latency-seed=-3")]
    public void TheKeys_ParseAndPrintBack(string spec, string canonical) =>
        Assert.Equal(canonical, ThrottleConfig.Parse(spec).ToString());

    [Theory]
    [InlineData("latency-read=fast", "latency-read: 'fast' is not a duration")]
    [InlineData("latency-write=20", "latency-write: '20' is not a duration")]
    [InlineData("latency-jitter=2d", "is not a duration")]
    [InlineData("latency-read=1441m", "latency-read must be within [0, 1 day]")]
    [InlineData("latency-seed=x", "latency-seed: 'x' is not a whole number")]
    public void BadValues_AreRefused_NamingTheKey(string spec, string reason)
    {
        var refused = Assert.Throws<ThrottleConfigException>(() => ThrottleConfig.Parse(spec));
        Assert.Contains(reason, string.Join("\n", refused.Errors));
    }

    [Fact]
    public void ALatencyAlone_IsEnabled_AndShowsInTheSummary()
    {
        var config = ThrottleConfig.Parse("latency-read=5ms");
        Assert.True(config.IsEnabled);
        Assert.Equal("latency-read=5ms", config.Summary);
    }

    // How long each of count sequential reads took, in nanoseconds, on a fresh group with spec.
    private List<long> Delays(string spec, int count)
    {
        var chain = new ThrottleChain(Group(spec).Join("f"));
        var delays = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var started = Clock.NowNs;
            var read = chain.AdmitAsync(ThrottleDirection.Read, 4096);
            while (!read.IsCompleted)
            {
                Clock.AdvanceToNs(Clock.NextDueNs!.Value);
            }

            delays.Add(Clock.NowNs - started);
            read.GetAwaiter().GetResult();
        }

        return delays;
    }
}
