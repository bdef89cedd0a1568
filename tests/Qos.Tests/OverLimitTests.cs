namespace ThrottleFs.Qos.Tests;

/// <summary>
/// Over the limit: policing (<c>action=police</c>), a bounded queue (<c>queue-depth</c>) and a wait cap
/// (<c>max-wait</c>), on the virtual clock, with both algorithms and with groups of two members. A refused request
/// fails with <see cref="ThrottleRefusedException"/>, is charged to no bucket of any layer, and is counted by cause.
/// </summary>
public class OverLimitTests : VirtualTimeTest
{
    /// <summary>
    /// One request a millisecond for 10 s against iops-total=100, refused whenever it cannot pass at once.
    /// Leaky (QEMU): the bucket holds 10; before the k-th arrival the level is 0.9k, so arrivals 0 to 11 pass (12),
    /// then the level needs 10 ms to fall back to 10 after each pass: one more every 10 ms from 20 ms to 9,990 ms
    /// (998). 1,010 admitted. Token (librbd): a 50 ms tick adds 5 tokens, the first at once: 200 ticks in 10 s,
    /// 1,000 admitted. The members of a group share those counts between them.
    /// </summary>
    [Theory]
    [InlineData("leaky", 1, 1010)]
    [InlineData("leaky", 2, 1010)]
    [InlineData("token", 1, 1000)]
    [InlineData("token", 2, 1000)]
    public void Policing_Iops100_UnderAThousandASecond_AdmitsTheRate_AndRefusesTheRestAtOnce(string algorithm, int members, int expected)
    {
        var group = Group($"iops-total=100,action=police,algorithm={algorithm}");
        var chains = Enumerable.Range(0, members).Select(m => new ThrottleChain(group.Join($"m{m}"))).ToArray();

        var (admitted, refused) = Offer(chains, 10_000);

        Assert.Equal(expected, admitted);
        Assert.Equal(10_000 - expected, refused);
        var statistics = group.GetStatistics();
        Assert.Equal((expected, 10_000L - expected, 0L, 0L), (statistics.Read.Ops, statistics.Read.Policed, statistics.Read.QueueFull, statistics.Read.TimedOut));
        Assert.Equal(0, statistics.Read.Throttled); // nothing waited
    }

    /// <summary>
    /// 100 requests at once against iops-total=100 with queue-depth N per member and direction. Leaky: 11 pass at
    /// once (the bucket holds 10), N per member wait and pass 10 ms apart, the rest are refused as the queue was
    /// full. Token: a 50 ms tick adds 5 tokens, the first at once: 5 pass at once, the waiting ones 5 per tick.
    /// </summary>
    [Theory]
    [InlineData("leaky", 1, 0, 11)]
    [InlineData("leaky", 1, 1, 11)]
    [InlineData("leaky", 1, 8, 11)]
    [InlineData("leaky", 2, 0, 11)]
    [InlineData("leaky", 2, 1, 11)]
    [InlineData("leaky", 2, 8, 11)]
    [InlineData("token", 1, 0, 5)]
    [InlineData("token", 1, 8, 5)]
    [InlineData("token", 2, 1, 5)]
    [InlineData("token", 2, 8, 5)]
    public void QueueDepth_LetsThatManyWaitPerMember_AndRefusesTheRest(string algorithm, int members, int depth, int atOnce)
    {
        var group = Group($"iops-total=100,queue-depth={depth},algorithm={algorithm}");
        var chains = Enumerable.Range(0, members).Select(m => new ThrottleChain(group.Join($"m{m}"))).ToArray();

        var requests = Enumerable.Range(0, 100).Select(i => chains[i % members].AdmitAsync(ThrottleDirection.Read, 4096)).ToList();

        var waiting = members * depth;
        Assert.Equal(atOnce, requests.Count(r => r.IsCompletedSuccessfully));
        Assert.Equal(waiting, requests.Count(r => !r.IsCompleted));
        Assert.Equal(100 - atOnce - waiting, requests.Count(r => r.IsFaulted));
        Assert.All(requests.Where(r => r.IsFaulted), r =>
            Assert.Equal(ThrottleRefusal.QueueFull, Assert.Throws<ThrottleRefusedException>(() => r.GetAwaiter().GetResult()).Cause));

        Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(atOnce + waiting, requests.Count(r => r.IsCompletedSuccessfully));
        var statistics = group.GetStatistics().Read;
        Assert.Equal((atOnce + waiting, 100L - atOnce - waiting, 0L), (statistics.Ops, statistics.QueueFull, statistics.Policed));
    }

    /// <summary>
    /// 20 requests at once against iops-total=10 with max-wait=250ms, the queue unbounded. Leaky: the bucket holds 1,
    /// so 2 pass at once, then one every 100 ms (100 and 200 ms); at 250 ms the 16 still waiting have waited the cap and
    /// are refused. Token: a 100 ms tick adds 1 token, the first at once: 1 passes at 0, 100 and 200 ms, 17 are
    /// refused at 250 ms.
    /// </summary>
    [Theory]
    [InlineData("leaky", 1, 4)]
    [InlineData("leaky", 2, 4)]
    [InlineData("token", 1, 3)]
    [InlineData("token", 2, 3)]
    public void MaxWait_RefusesWhatWaitedTheCap_InAQueueThatDrainsSlowerThanIt(string algorithm, int members, int admitted)
    {
        var group = Group($"iops-total=10,max-wait=250ms,over-limit-error=EIO,algorithm={algorithm}");
        var chains = Enumerable.Range(0, members).Select(m => new ThrottleChain(group.Join($"m{m}"))).ToArray();
        var requests = Enumerable.Range(0, 20).Select(i => chains[i % members].AdmitAsync(ThrottleDirection.Read, 4096)).ToList();

        Clock.Advance(TimeSpan.FromMilliseconds(250) - TimeSpan.FromTicks(1));
        Assert.Equal(admitted, requests.Count(r => r.IsCompletedSuccessfully));
        Assert.Equal(0, requests.Count(r => r.IsFaulted));
        Clock.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(20 - admitted, requests.Count(r => r.IsFaulted));
        Assert.All(requests.Where(r => r.IsFaulted), r =>
        {
            var refusal = Assert.Throws<ThrottleRefusedException>(() => r.GetAwaiter().GetResult());
            Assert.Equal((ThrottleRefusal.TimedOut, OverLimitError.EIO), (refusal.Cause, refusal.Error));
        });
        var statistics = group.GetStatistics().Read;
        Assert.Equal((admitted, 20L - admitted, 0), (statistics.Ops, statistics.TimedOut, statistics.QueueDepth));
        Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(admitted, group.GetStatistics().Read.Ops); // nothing left behind to be admitted later
    }

    [Fact]
    public void ARequestRefusedByAnInnerLayer_IsChargedToNoLayer()
    {
        var file = Group("file", "iops-total=1000");
        var mount = Group("mount", "iops-total=100,action=police");
        var chain = new ThrottleChain(file.Join("f"), mount.Join("f"));

        var requests = Enumerable.Range(0, 20).Select(_ => chain.AdmitAsync(ThrottleDirection.Write, 4096)).ToList();

        Assert.Equal(11, requests.Count(r => r.IsCompletedSuccessfully));
        Assert.Equal(11, file.GetStatistics().Write.Ops);
        Assert.Equal(11.0, file.GetStatistics().Buckets.Single(b => b.Kind == BucketKind.IopsTotal).Level);
        Assert.Equal(9, mount.GetStatistics().Write.Policed);
    }

    [Fact]
    public void MaxWait_SetLive_AppliesToRequestsAlreadyWaiting_FromWhenTheyBegan()
    {
        var group = Group("iops-total=10");
        var chain = new ThrottleChain(group.Join("f"));
        var requests = Enumerable.Range(0, 10).Select(_ => chain.AdmitAsync(ThrottleDirection.Read, 4096)).ToList();
        Clock.Advance(TimeSpan.FromMilliseconds(300)); // 2 at once, then at 100, 200 and 300 ms
        Assert.Equal(5, requests.Count(r => r.IsCompletedSuccessfully));

        group.Reconfigure(ThrottleConfig.Parse("iops-total=10,max-wait=250ms"));
        Clock.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(5, requests.Count(r => r.IsCompletedSuccessfully));
        Assert.Equal(5, requests.Count(r => r.IsFaulted)); // they had waited 300 ms already
    }

    [Theory]
    [InlineData("action=police,queue-depth=4", "action=police refuses at once, so queue-depth means nothing with it")]
    [InlineData("action=police,max-wait=1s", "so max-wait means nothing with it")]
    [InlineData("queue-depth=-1", "queue-depth: '-1' is not a whole number")]
    [InlineData("queue-depth=2000000", "queue-depth must be within [0, 1000000]")]
    [InlineData("max-wait=500us", "max-wait must be within [1ms, 1 day]")]
    [InlineData("action=drop", "action: 'drop' is not one of shape, police")]
    [InlineData("over-limit-error=ENOENT", "over-limit-error: 'ENOENT' is not one of EAGAIN, EBUSY, EIO, ETIMEDOUT, ENOSPC, EDQUOT")]
    public void ImpossibleSettings_AreRefused_NamingTheKeys(string spec, string reason)
    {
        var refused = Assert.Throws<ThrottleConfigException>(() => ThrottleConfig.Parse($"iops-total=100,{spec}"));
        Assert.Contains(reason, string.Join("\n", refused.Errors));
    }

    [Fact]
    public void TheKeys_PrintBackAsGiven()
    {
        Assert.Equal("iops-total=100,action=police,over-limit-error=EIO", ThrottleConfig.Parse("iops_total=100,action=POLICE,over_limit_error=eio").ToString());
        Assert.Equal("iops-total=100,queue-depth=8,max-wait=250ms", ThrottleConfig.Parse("iops-total=100,queue-depth=8,max-wait=0.25s").ToString());
    }

    // (admitted, refused) of one request per millisecond, spread over the chains in turn.
    private (int Admitted, int Refused) Offer(ThrottleChain[] chains, int milliseconds)
    {
        var admitted = 0;
        var refused = 0;
        for (var ms = 0; ms < milliseconds; ms++)
        {
            Clock.AdvanceTo(TimeSpan.FromMilliseconds(ms));
            var request = chains[ms % chains.Length].AdmitAsync(ThrottleDirection.Read, 4096);
            Assert.True(request.IsCompleted, "a policed request never waits");
            if (request.IsCompletedSuccessfully)
            {
                admitted++;
            }
            else
            {
                Assert.Equal(ThrottleRefusal.Policed, Assert.Throws<ThrottleRefusedException>(() => request.GetAwaiter().GetResult()).Cause);
                refused++;
            }
        }

        return (admitted, refused);
    }
}
