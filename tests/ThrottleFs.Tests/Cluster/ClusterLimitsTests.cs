using System.Diagnostics;
using ThrottleFs.Cluster;
using ThrottleFs.Configuration;
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
        _redis = redis;
        if (!redis.IsRunning)
        {
            redis.Start();
        }
    }

    [Fact]
    public void AChangeOnOneHost_IsInForceOnTheOtherWithinASecond()
    {
        using var a = Host("hv1", 200);
        using var b = Host("hv2", 200);

        a.Policy.Apply(ControlCommand.Parse("group vms iops-total=50,iops-total-max=100")!, "test");

        Within(TimeSpan.FromSeconds(1), () => b.Policy.Limits.Groups["vms"].IopsTotal == new Qos.BucketConfig(50, 100, 1));
    }

    [Fact]
    public void AHostThatMountsLater_TakesTheLimitsTheClusterHas_LiveChangesIncluded()
    {
        using var a = Host("hv1", 200);
        a.Policy.Apply(ControlCommand.Parse("group vms iops-total=50")!, "test");
        Within(TimeSpan.FromSeconds(1), () => Stored(a)?.Limits.ToString().Contains("iops-total=50,") == true);

        using var b = Host("hv2", 200);

        Assert.Equal(50, b.Policy.Limits.Groups["vms"].IopsTotal.Avg);
    }

    [Fact]
    public void AHostWhoseFileWasEditedWhileNoneWasMounted_BringsTheEditToTheCluster()
    {
        using (var a = Host("hv1", 200))
        {
            a.Policy.Apply(ControlCommand.Parse("group vms iops-total=50")!, "test");
            Within(TimeSpan.FromSeconds(1), () => Stored(a)?.Limits.ToString().Contains("iops-total=50,") == true);
        }

        using var same = Host("hv1", 200);
        Assert.Equal(50, same.Policy.Limits.Groups["vms"].IopsTotal.Avg); // the live change outlives the mount

        using var edited = Host("hv2", 400);
        Assert.Equal(400, edited.Policy.Limits.Groups["vms"].IopsTotal.Avg);
        Within(TimeSpan.FromSeconds(1), () => same.Policy.Limits.Groups["vms"].IopsTotal.Avg == 400);
    }

    [Fact]
    public void AnEditOfTheGroupInOneHostsFile_GoesToEveryHost_OverEarlierLiveChanges()
    {
        using var a = Host("hv1", 200);
        using var b = Host("hv2", 200);
        a.Policy.Apply(ControlCommand.Parse("group vms iops-total=50")!, "test");
        Within(TimeSpan.FromSeconds(1), () => b.Policy.Limits.Groups["vms"].IopsTotal.Avg == 50);

        File.WriteAllText(b.Config.Path, Json("hv2", 400));
        b.Policy.Reload(new ConfigSource(b.Config.Path, []).Load(), "test");

        Assert.Equal(400, b.Policy.Limits.Groups["vms"].IopsTotal.Avg);
        Within(TimeSpan.FromSeconds(1), () => a.Policy.Limits.Groups["vms"].IopsTotal.Avg == 400);
    }

    [Fact]
    public void WhatHappensOverTheLimit_StaysEachHostsOwn()
    {
        using var a = Host("hv1", 200);
        using var b = Host("hv2", 200);

        a.Policy.Apply(ControlCommand.Parse("group vms action=police")!, "test");
        a.Policy.Apply(ControlCommand.Parse("group vms iops-total=60")!, "test");
        Within(TimeSpan.FromSeconds(1), () => b.Policy.Limits.Groups["vms"].IopsTotal.Avg == 60);

        Assert.Equal(Qos.OverLimitAction.Shape, b.Policy.Limits.Groups["vms"].Action);
    }

    private static StoredLimits? Stored(ClusterHost host) => host.Link.StoredLimits("vms");

    private ClusterHost Host(string name, int iops)
    {
        var config = new TempConfig(Json(name, iops));
        var link = ClusterLink.Connect(new ConfigSource(config.Path, []).Load().Cluster!, Serilog.Core.Logger.None);
        var policy = new ThrottlePolicy(new ConfigSource(config.Path, []).Load(), cluster: link);
        return new ClusterHost(config, link, policy);
    }

    private string Json(string host, int iops) => $$"""
        { "cluster": { "redis": "{{_redis.Configuration}}", "prefix": "{{_prefix}}", "host": "{{host}}" },
          "groups": { "vms": { "scope": "cluster", "iops-total": {{iops}} } } }
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
