namespace ThrottleFs.Qos.Tests;

/// <summary>
/// Groups whose limits hold across hosts: each "host" is a group of its own with a <see cref="SharedLease"/> on one
/// <see cref="FakeSharedBuckets"/>, all on one virtual clock. Hosts issue one request at a time (fio at QD1), the
/// instant the last was admitted.
/// </summary>
public sealed class SharedLeaseTests : VirtualTimeTest
{
    private readonly FakeSharedBuckets _store;

    public SharedLeaseTests() => _store = new FakeSharedBuckets(Clock);

    [Fact]
    public void A_host_alone_gets_the_whole_limit()
    {
        var (_, load) = Host("hv1", "iops-total=200");

        Until(TimeSpan.FromSeconds(10), load);

        // The shared bucket hands out its 20 units of capacity and 200 a second: 2,020 at most. The local model
        // admits 2,011 (QEMU's check-before-charge); leasing ramps up within a few leases.
        Assert.InRange(load.Admitted, 1_990, 2_020);
    }

    [Fact]
    public void Two_saturated_hosts_share_the_limit_evenly()
    {
        var (_, a) = Host("hv1", "iops-total=200");
        var (_, b) = Host("hv2", "iops-total=200");

        Until(TimeSpan.FromSeconds(10), a, b);

        Assert.InRange(a.Admitted + b.Admitted, 1_990, 2_021); // one request of overdraft per host at most
        Assert.InRange(a.Admitted, 900, 1_110);
        Assert.InRange(b.Admitted, 900, 1_110);
    }

    [Fact]
    public void A_third_host_that_joins_gets_about_a_third()
    {
        var (_, a) = Host("hv1", "iops-total=300");
        var (_, b) = Host("hv2", "iops-total=300");
        Until(TimeSpan.FromSeconds(5), a, b);
        var (_, c) = Host("hv3", "iops-total=300");
        var before = (a.Admitted, b.Admitted);

        Until(TimeSpan.FromSeconds(15), a, b, c);

        var (da, db, dc) = (a.Admitted - before.Item1, b.Admitted - before.Item2, c.Admitted);
        Assert.InRange(da + db + dc, 2_940, 3_040);
        foreach (var share in (int[])[da, db, dc])
        {
            Assert.InRange(share, 850, 1_150);
        }
    }

    [Fact]
    public void Hosts_with_less_demand_take_only_what_they_ask_and_the_rest_goes_to_the_busy_one()
    {
        var (_, busy) = Host("hv1", "iops-total=200");
        var (group, _) = Host("hv2", "iops-total=200");
        var light = new Workload(group.Join("light"), ThrottleDirection.Read, 4096, depth: 1);
        var lightTicks = 0;

        // The light host issues one request every 50 ms: 20 a second, well under an even share.
        Workload.Run(Clock, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(1), busy);
        while (Clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (lightTicks++ % 50 == 0)
            {
                light.Pump(maxSubmissions: 1);
            }

            Clock.Advance(TimeSpan.FromMilliseconds(1));
            light.Collect();
            busy.Pump();
        }

        Assert.InRange(light.Admitted, 190, 200);
        Assert.InRange(busy.Admitted, 4_000 - 200 - 30, 4_020 - light.Admitted + 2);
    }

    [Fact]
    public void An_idle_host_gives_its_credit_back_and_holds_nothing()
    {
        var (group, load) = Host("hv1", "iops-total=200");
        Until(TimeSpan.FromSeconds(2), load);

        // Stop issuing: what is queued drains, and the unspent credit goes back after SharedLease.ReturnAfter.
        Clock.Advance(TimeSpan.FromSeconds(1));
        load.Collect();

        Assert.True(_store.Returns > 0);
        Assert.Equal(load.Admitted, _store.Outstanding("g", BucketKind.IopsTotal), precision: 6);
        var calls = _store.Leases + _store.Returns;
        Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(calls, _store.Leases + _store.Returns); // quiet: no calls at all
        Assert.True(group.IsLeased);
    }

    [Fact]
    public void Leases_are_batched_well_under_a_hundred_calls_a_second()
    {
        var (_, load) = Host("hv1", "iops-total=10000");

        Until(TimeSpan.FromSeconds(10), load);

        Assert.InRange(load.Admitted, 99_000, 101_000);
        Assert.InRange(_store.Leases, 100, 10 * 45); // one lease per Period at most, and not one per request
    }

    [Fact]
    public void Bursts_and_bandwidth_hold_across_hosts()
    {
        // 1 MiB/s with a 4 MiB/s burst for 2 s: 8 MiB of burst credit, then 1 MiB/s. With 64 KiB reads from two
        // hosts over 10 s: 8 MiB + 10 × 1 MiB − what the burst's own time consumed of the average (it leaks meanwhile).
        const string spec = "bps-total=1M,bps-total-max=4M,bps-total-max-length=2";
        var local = Saturate(spec, 65536);
        var (_, a) = Host("hv1", spec, 65536);
        var (_, b) = Host("hv2", spec, 65536);

        Until(TimeSpan.FromSeconds(10), local, a, b);

        Assert.InRange(a.Admitted + b.Admitted, local.Admitted * 0.98, local.Admitted * 1.02 + 2);
        Assert.InRange(a.Admitted, (a.Admitted + b.Admitted) * 0.4, (a.Admitted + b.Admitted) * 0.6);
    }

    [Fact]
    public void A_request_larger_than_the_shared_bucket_passes_once_a_whole_bucket_is_held()
    {
        // bps-total=1M holds 100 KiB (a tenth of a second); 1 MiB writes pass, each paid for over the next second.
        var (_, load) = Host("hv1", "bps-total=1M", 1 << 20);

        Until(TimeSpan.FromSeconds(10), load);

        Assert.InRange(load.Admitted, 9, 11);
    }

    [Fact]
    public void The_token_algorithm_is_shared_too()
    {
        var local = Saturate("iops-total=200,algorithm=token", 4096);
        var (_, a) = Host("hv1", "iops-total=200,algorithm=token");
        var (_, b) = Host("hv2", "iops-total=200,algorithm=token");

        Until(TimeSpan.FromSeconds(10), local, a, b);

        Assert.InRange(a.Admitted + b.Admitted, local.Admitted - 20, local.Admitted + 20);
        Assert.InRange(a.Admitted, 900, 1_110);
    }

    [Fact]
    public void A_store_that_fails_puts_the_hosts_on_their_fallback_at_once_and_they_rejoin_when_it_is_back()
    {
        var statuses = new List<SharedLeaseStatus>();
        var (ga, a) = Host("hv1", "iops-total=200", switched: statuses.Add);
        var (gb, b) = Host("hv2", "iops-total=200");
        Until(TimeSpan.FromSeconds(2), a, b);

        _store.Down = true;
        Until(TimeSpan.FromSeconds(3), a, b);
        Assert.False(ga.IsLeased);
        Assert.False(gb.IsLeased);
        Assert.Equal(100, ga.Config.IopsTotal.Avg); // the limit divided by the two hosts seen

        var (fa, fb) = (a.Admitted, b.Admitted);
        Until(TimeSpan.FromSeconds(8), a, b);
        Assert.InRange(a.Admitted - fa, 480, 520); // 100 IOPS each, locally
        Assert.InRange(b.Admitted - fb, 480, 520);

        _store.Down = false;
        _store.Flush(); // it came back empty, as a restarted Redis without persistence
        Until(TimeSpan.FromSeconds(9.5), a, b);
        Assert.True(ga.IsLeased);
        Assert.True(gb.IsLeased);
        var (ra, rb) = (a.Admitted, b.Admitted);
        Until(TimeSpan.FromSeconds(19.5), a, b);
        Assert.InRange(a.Admitted - ra + b.Admitted - rb, 1_990, 2_030);

        Assert.Equal([SharedLeaseMode.Fallback, SharedLeaseMode.Leasing], statuses.Select(status => status.Mode));
        Assert.Contains("connection refused", statuses[0].Reason);
    }

    [Fact]
    public void A_store_that_does_not_answer_counts_as_failed_after_half_a_second()
    {
        var (group, load) = Host("hv1", "iops-total=200", fallback: "iops-total=50");
        Until(TimeSpan.FromSeconds(1), load);

        _store.Hangs = true;
        var stalled = load.Admitted;
        Until(TimeSpan.FromSeconds(1.7), load);

        Assert.False(group.IsLeased);
        Assert.Equal(50, group.Config.IopsTotal.Avg); // the configured fallback share
        Assert.InRange(load.Admitted - stalled, 1, 40); // what was held, then the fallback's first burst
    }

    [Fact]
    public void A_store_that_is_down_from_the_start_never_holds_requests_back_for_long()
    {
        _store.Down = true;
        var (group, load) = Host("hv1", "iops-total=200");

        Until(TimeSpan.FromSeconds(5), load);

        Assert.False(group.IsLeased);
        Assert.InRange(load.Admitted, 1_000, 1_025); // the whole limit (no other host was ever seen), from a fresh bucket
    }

    [Fact]
    public void A_live_change_applies_to_the_shared_limit_and_to_the_fallback_share()
    {
        var lease = default(SharedLease);
        var (group, load) = Host("hv1", "iops-total=200", made: made => lease = made);
        Until(TimeSpan.FromSeconds(2), load);

        lease!.Reconfigure(ThrottleConfig.Parse("iops-total=400"));
        var before = load.Admitted;
        Until(TimeSpan.FromSeconds(7), load);
        Assert.InRange(load.Admitted - before, 1_950, 2_050);

        _store.Down = true;
        Until(TimeSpan.FromSeconds(8), load);
        lease.Reconfigure(ThrottleConfig.Parse("iops-total=100"));
        Assert.Equal(100, group.Config.IopsTotal.Avg); // one host seen: its share is the whole limit
        Assert.Equal(100, lease.Config.IopsTotal.Avg);
    }

    [Fact]
    public void A_policed_group_leases_for_the_requests_it_refuses()
    {
        var group = Leased("hv1", "iops-total=100,action=police");
        var member = group.Join("file");
        var admitted = 0;
        for (var ms = 0; ms < 5_000; ms++)
        {
            try
            {
                var task = member.AdmitAsync(ThrottleDirection.Read, 4096);
                Assert.True(task.IsCompleted);
                task.GetAwaiter().GetResult();
                admitted++;
            }
            catch (ThrottleRefusedException)
            {
            }

            Clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.InRange(admitted, 470, 510);
    }

    [Fact]
    public void A_fallback_spec_that_breaks_the_limits_is_refused_up_front()
    {
        var group = Group("iops-total=200");

        var error = Assert.Throws<ThrottleConfigException>(() =>
            new SharedLease(group, "hv1", _store, ThrottleSpec.Parse("iops-total-max=10")));

        Assert.Contains("iops-total-max", error.Message);
    }

    private (ThrottleGroup Group, Workload Load) Host(
        string host,
        string spec,
        long bytes = 4096,
        string? fallback = null,
        Action<SharedLeaseStatus>? switched = null,
        Action<SharedLease>? made = null)
    {
        var group = Leased(host, spec, fallback, switched, made);
        var load = new Workload(group.Join("file"), ThrottleDirection.Read, bytes, depth: 1);
        load.Pump();
        return (group, load);
    }

    private ThrottleGroup Leased(
        string host,
        string spec,
        string? fallback = null,
        Action<SharedLeaseStatus>? switched = null,
        Action<SharedLease>? made = null)
    {
        var group = Group(spec);
        var lease = new SharedLease(group, host, _store, fallback is null ? null : ThrottleSpec.Parse(fallback), switched);
        made?.Invoke(lease);
        return group;
    }
}
