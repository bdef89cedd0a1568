using System.Diagnostics;
using ThrottleFs.Cluster;
using ThrottleFs.Configuration;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;
using ThrottleFs.Throttling;

namespace ThrottleFs.Tests.Cluster;

/// <summary>
/// The limits of a cluster-wide group kept in step across hosts through a real redis-server: each host is a
/// <see cref="ThrottlePolicy"/> with its own <see cref="ClusterLink"/>, as each daemon has.
/// </summary>
public sealed class ClusterLimitsTests : IClassFixture<RedisServer>
{
    private readonly RedisServer _redis;
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..8];

    public ClusterLimitsTests(RedisServer redis)
    {
        _redis = redis.Running();
    }

    [Fact]
    public void AChangeOnOneHost_IsInForceOnTheOtherWithinASecond()
    {
        using var a = Host("hv1", 200);
        using var b = Host("hv2", 200);

        a.Policy.Apply(ControlCommand.Parse("group vms iops-total=50,iops-total-max=100")!, "test");

        Within(TimeSpan.FromSeconds(5), () => b.Policy.Limits.Groups["vms"].IopsTotal == new BucketConfig(50, 100, 1));
    }

    [Fact]
    public void AHostThatMountsLater_TakesTheLimitsTheClusterHas_LiveChangesIncluded()
    {
        using var a = Host("hv1", 200);
        a.Policy.Apply(ControlCommand.Parse("group vms iops-total=50")!, "test");
        Within(TimeSpan.FromSeconds(5), () => Stored(a)?.Limits.ToString().Contains("iops-total=50,") == true);

        using var b = Host("hv2", 200);

        Assert.Equal(50, b.Policy.Limits.Groups["vms"].IopsTotal.Avg);
    }

    [Fact]
    public void AHostWhoseFileWasEditedWhileNoneWasMounted_BringsTheEditToTheCluster()
    {
        using (var a = Host("hv1", 200))
        {
            a.Policy.Apply(ControlCommand.Parse("group vms iops-total=50")!, "test");
            Within(TimeSpan.FromSeconds(5), () => Stored(a)?.Limits.ToString().Contains("iops-total=50,") == true);
        }

        using var same = Host("hv1", 200);
        Assert.Equal(50, same.Policy.Limits.Groups["vms"].IopsTotal.Avg); // the live change outlives the mount

        using var edited = Host("hv2", 400);
        Assert.Equal(400, edited.Policy.Limits.Groups["vms"].IopsTotal.Avg);
        Within(TimeSpan.FromSeconds(5), () => same.Policy.Limits.Groups["vms"].IopsTotal.Avg == 400);
    }

    [Fact]
    public void AnEditOfTheGroupInOneHostsFile_GoesToEveryHost_OverEarlierLiveChanges()
    {
        using var a = Host("hv1", 200);
        using var b = Host("hv2", 200);
        a.Policy.Apply(ControlCommand.Parse("group vms iops-total=50")!, "test");
        Within(TimeSpan.FromSeconds(5), () => b.Policy.Limits.Groups["vms"].IopsTotal.Avg == 50);

        File.WriteAllText(b.Config.Path, Json("hv2", 400));
        b.Policy.Reload(new ConfigSource(b.Config.Path, []).Load(), "test");

        Assert.Equal(400, b.Policy.Limits.Groups["vms"].IopsTotal.Avg);
        Within(TimeSpan.FromSeconds(5), () => a.Policy.Limits.Groups["vms"].IopsTotal.Avg == 400);
    }

    [Fact]
    public void WhatHappensOverTheLimit_StaysEachHostsOwn()
    {
        using var a = Host("hv1", 200);
        using var b = Host("hv2", 200);

        a.Policy.Apply(ControlCommand.Parse("group vms action=police")!, "test");
        a.Policy.Apply(ControlCommand.Parse("group vms iops-total=60")!, "test");
        Within(TimeSpan.FromSeconds(5), () => b.Policy.Limits.Groups["vms"].IopsTotal.Avg == 60);

        Assert.Equal(OverLimitAction.Shape, b.Policy.Limits.Groups["vms"].Action);
    }

    [Fact]
    public void AHostMadeWhileRedisWasDown_HearsOfChangesOnceRedisAnswers()
    {
        _redis.Stop();
        using var a = Host("hv1", 200);
        _redis.Start();
        using var b = Host("hv2", 200);
        Thread.Sleep(TimeSpan.FromSeconds(2)); // the client reconnects within a second, and the watch looks every second

        b.Policy.Apply(ControlCommand.Parse("group vms iops-total=70")!, "test");

        Within(TimeSpan.FromSeconds(5), () => a.Policy.Limits.Groups["vms"].IopsTotal.Avg == 70);
    }

    [Fact]
    public async Task AGroupKeptPerUser_SharesEachUsersBucketsAcrossTheHosts()
    {
        using var a = Host("hv1", 200, per: "uid");
        using var b = Host("hv2", 200, per: "uid");
        var alice = new RequestContext(1000, 1000, 1);

        Assert.Equal(Errno.Success, await a.Policy.Open("disk.img", alice).AdmitAsync(ThrottleDirection.Read, 4096, default));
        Assert.Equal(Errno.Success, await b.Policy.Open("disk.img", alice).AdmitAsync(ThrottleDirection.Read, 4096, default));

        var shared = b.Policy.GetStatistics().Groups.Single(group => group.Name == "vms[uid=1000]").Cluster!;
        Assert.Equal("leasing", shared.State);
        Assert.Equal(["hv1", "hv2"], shared.Hosts.Select(host => host.Name));
    }

    private static StoredLimits? Stored(ClusterHost host) => host.Link.StoredLimits("vms");

    private ClusterHost Host(string name, int iops, string? per = null)
    {
        var config = new TempConfig(Json(name, iops, per));
        var link = ClusterLink.Connect(new ConfigSource(config.Path, []).Load().Cluster!, Serilog.Core.Logger.None);
        var policy = new ThrottlePolicy(new ConfigSource(config.Path, []).Load(), cluster: link);
        return new ClusterHost(config, link, policy);
    }

    private string Json(string host, int iops, string? per = null) => $$"""
        { "cluster": { "redis": "{{_redis.Configuration}}", "prefix": "{{_prefix}}", "host": "{{host}}" },
          "groups": { "vms": { "scope": "cluster", "iops-total": {{iops}}{{(per is null ? "" : $", \"per\": \"{per}\"")}} } },
          "rules": [ { "match": "**", "group": "vms" } ] }
        """;

    private static void Within(TimeSpan limit, Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < limit, $"not so within {limit.TotalSeconds} s");
            Thread.Sleep(10);
        }
    }

    private sealed record ClusterHost(TempConfig Config, ClusterLink Link, ThrottlePolicy Policy) : IDisposable
    {
        public void Dispose()
        {
            Policy.Dispose();
            Link.Dispose();
            Config.Dispose();
        }
    }
}
