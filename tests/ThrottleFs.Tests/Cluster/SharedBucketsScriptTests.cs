using System.Diagnostics;
using StackExchange.Redis;
using ThrottleFs.Cluster;
using ThrottleFs.Qos;

namespace ThrottleFs.Tests.Cluster;

/// <summary>
/// The Lua script that keeps cluster-wide buckets, run by a real redis-server. Redis's clock runs while a test does, so
/// the checks allow for the credit that refills in the milliseconds between two calls.
/// </summary>
public sealed class SharedBucketsScriptTests : IClassFixture<RedisServer>, IDisposable
{
    private readonly ConnectionMultiplexer _connection;
    private readonly RedisSharedBuckets _store;
    private readonly string _group = "g" + Guid.NewGuid().ToString("N")[..8];

    public SharedBucketsScriptTests(RedisServer redis)
    {
        _connection = ConnectionMultiplexer.Connect(redis.Running().Configuration);
        _store = new RedisSharedBuckets(_connection.GetDatabase(), "test");
    }

    [Fact]
    public async Task A_fresh_leaky_bucket_grants_its_capacity_then_only_what_leaked_back()
    {
        var between = Stopwatch.StartNew();
        var first = await Lease("hv1", "iops-total=200", iops: 50);
        var second = await Lease("hv1", "iops-total=200", iops: 50);
        between.Stop();

        Assert.Equal(20, first.Granted[(int)BucketKind.IopsTotal], precision: 6); // avg/10

        // 200 a second leaked back, for the time between the two calls: at most the time both took, which on a busy
        // machine has been 84 ms (16.9 granted).
        Assert.InRange(second.Granted[(int)BucketKind.IopsTotal], 0, Math.Max(4, 200 * between.Elapsed.TotalSeconds));
    }

    [Fact]
    public async Task A_burst_is_granted_no_faster_than_its_burst_bucket_when_it_lasts_more_than_a_second()
    {
        var first = await Lease("hv1", "iops-total=100,iops-total-max=2000,iops-total-max-length=2", iops: 1_000);

        Assert.Equal(200, first.Granted[(int)BucketKind.IopsTotal], precision: 6); // max/10
    }

    [Fact]
    public async Task A_fresh_token_bucket_grants_one_tick()
    {
        var first = await Lease("hv1", "iops-total=200,algorithm=token", iops: 50);

        Assert.Equal(10, first.Granted[(int)BucketKind.IopsTotal], precision: 6); // 50 ms of 200 a second
    }

    [Fact]
    public async Task Bandwidth_and_operations_are_granted_together()
    {
        var grant = await Lease("hv1", "bps-read=1M,iops-total=100", bytes: 65_536, iops: 5);

        Assert.Equal(65_536, grant.Granted[(int)BucketKind.BpsRead], precision: 6);
        Assert.Equal(5, grant.Granted[(int)BucketKind.IopsTotal], precision: 6);
        Assert.Equal(0, grant.Granted[(int)BucketKind.BpsTotal]);
    }

    [Fact]
    public async Task Credit_given_back_is_granted_again()
    {
        await Lease("hv1", "iops-total=200", iops: 20);
        await _store.ReturnAsync(Request("hv1", "iops-total=200", iops: 20));
        var other = await Lease("hv2", "iops-total=200", iops: 20);

        Assert.Equal(20, other.Granted[(int)BucketKind.IopsTotal], precision: 6);
    }

    [Fact]
    public async Task Two_hosts_asking_alike_get_half_each_and_both_are_listed()
    {
        var got = new double[2];
        await _store.LeaseAsync(new LeaseRequest(_group + "-warm-up", "hv1", ThrottleConfig.Parse("iops-total=1"), new double[6])); // the first call loads the script
        var clock = Stopwatch.StartNew();
        LeaseGrant? last = null;
        for (var round = 0; clock.Elapsed < TimeSpan.FromSeconds(2); round++)
        {
            // Each asks first in turn: on a busy machine a pause longer than the claim window (100 ms) gives the room
            // to whoever asks first.
            foreach (var h in round % 2 == 0 ? [0, 1] : (int[])[1, 0])
            {
                last = await Lease($"hv{h + 1}", "iops-total=200", iops: 20);
                got[h] += last.Granted[(int)BucketKind.IopsTotal];
            }

            await Task.Delay(25);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        // Never more than the bucket's capacity and its refill. Less when the test paused for more than the bucket holds
        // (100 ms) on a busy machine: credit nobody asks for is lost, as in any leaky bucket. The mount tests measure
        // the combined rate of hosts that keep asking.
        Assert.InRange(got[0] + got[1], 200 * seconds * 0.3, (200 * seconds) + 25); // 0.46 seen while a build ran beside it
        Assert.InRange(got[0] / (got[0] + got[1]), 0.4, 0.6);
        Assert.Equal(["hv1", "hv2"], last!.Hosts.Select(host => host.Name));
        Assert.InRange(last.Hosts.Sum(host => host.Share), 0.99, 1.01);
    }

    [Fact]
    public async Task The_keys_expire_once_idle_and_lost_keys_start_afresh()
    {
        await Lease("hv1", "iops-total=200", iops: 20);
        var database = _connection.GetDatabase();
        var keys = _store.KeysOf(_group);

        foreach (var key in keys)
        {
            Assert.InRange((await database.KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(61));
        }

        await database.KeyDeleteAsync(keys); // what a Redis restart without persistence does
        var fresh = await Lease("hv1", "iops-total=200", iops: 20);
        Assert.Equal(20, fresh.Granted[(int)BucketKind.IopsTotal], precision: 6);
    }

    public void Dispose() => _connection.Dispose();

    private Task<LeaseGrant> Lease(string host, string spec, double bytes = 0, double iops = 0) => _store.LeaseAsync(Request(host, spec, bytes, iops));

    // Asks for the same amount from every enabled bucket of its kind.
    private LeaseRequest Request(string host, string spec, double bytes = 0, double iops = 0)
    {
        var config = ThrottleConfig.Parse(spec);
        var amounts = new double[BucketKinds.Count];
        foreach (var kind in BucketKinds.All)
        {
            amounts[(int)kind] = config[kind].IsEnabled ? (kind.CountsBytes() ? bytes : iops) : 0;
        }

        return new LeaseRequest(_group, host, config, amounts);
    }
}
