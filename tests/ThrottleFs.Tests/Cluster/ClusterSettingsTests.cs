using ThrottleFs.Configuration;

namespace ThrottleFs.Tests.Cluster;

/// <summary>The cluster section and cluster-wide groups in a config file.</summary>
public sealed class ClusterSettingsTests
{
    [Fact]
    public void AClusterGroup_IsReadWithItsFallback_AndTheHostDefaultsToTheMachineName()
    {
        using var config = new TempConfig("""
            { "cluster": { "redis": "10.0.0.5:6379,password=secret" },
              "groups": { "tenant": { "scope": "cluster", "iops-total": 5000, "fallback": "iops-total=1000" }, "local": { "iops-total": 10 } } }
            """);

        var settings = new ConfigSource(config.Path, []).Load();

        Assert.Equal(new ClusterSettings("10.0.0.5:6379,password=secret", "throttlefs", Environment.MachineName), settings.Cluster);
        Assert.Equal(["tenant"], settings.ClusterGroups.Keys);
        Assert.Equal("iops-total=1000", settings.ClusterGroups["tenant"].ToString());
    }

    [Theory]
    [InlineData("""{ "groups": { "t": { "scope": "cluster", "iops-total": 5 } } }""", "groups: t: \"scope\": \"cluster\" needs a cluster section")]
    [InlineData("""{ "cluster": { "redis": "r:6379" }, "groups": { "t": { "scope": "world", "iops-total": 5 } } }""", "groups.t.scope: 'world' is not one of local")]
    [InlineData("""{ "cluster": { "redis": "r:6379" }, "groups": { "t": { "fallback": "iops-total=1", "iops-total": 5 } } }""", "groups.t.fallback: a fallback is this host's share of a cluster group")]
    [InlineData("""{ "cluster": { "redis": "r:6379" }, "groups": { "t": { "scope": "cluster", "fallback": "iops-totl=1", "iops-total": 5 } } }""", "groups.t.fallback: ")]
    [InlineData("""{ "cluster": { "redis": "r:6379" }, "groups": { "t": { "scope": "cluster", "fallback": "iops-total-max=1", "iops-total": 5 } } }""", "group t fallback (iops-total-max=1): ")]
    [InlineData("""{ "cluster": { "prefix": "x" } }""", "cluster: a cluster needs \"redis\"")]
    [InlineData("""{ "cluster": { "redis": "r:6379", "prefix": "a b" } }""", "cluster.prefix: 'a b' is not a key prefix")]
    [InlineData("""{ "cluster": { "redis": "r:6379", "hosts": "x" } }""", "cluster.hosts: unknown setting (a cluster has redis, prefix, host; did you mean 'host'?)")]
    [InlineData("""{ "cluster": { "redis": "r:6379", "host": 7 } }""", "cluster.host: must be a string, not the number 7")]
    [InlineData("""{ "cluster": "r:6379" }""", "cluster: must be an object")]
    public void ABadClusterSetting_IsRefusedNamingItsKey(string json, string expected)
    {
        using var config = new TempConfig(json);
        var error = Assert.Throws<ConfigException>(() => new ConfigSource(config.Path, []).Load());

        Assert.Contains(error.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void TheEffectiveConfig_WritesTheClusterAndScope_AndLoadsBackTheSame()
    {
        using var config = new TempConfig("""
            { "cluster": { "redis": "r:6379", "prefix": "p", "host": "hv1" },
              "groups": { "tenant": { "scope": "cluster", "iops-total": 5000, "fallback": "iops-total=1000" }, "local": { "iops-total": 10 } } }
            """);
        var limits = EffectiveLimits.Resolve(new ConfigSource(config.Path, []).Load(), RuntimeOverrides.None);

        using var written = new TempConfig(ConfigJson.Write(limits));
        var reloaded = new ConfigSource(written.Path, []).Load();

        Assert.Equal(limits.Settings.Cluster, reloaded.Cluster);
        Assert.Equal(["tenant"], reloaded.ClusterGroups.Keys);
        Assert.Equal("iops-total=1000", reloaded.ClusterGroups["tenant"].ToString());
        Assert.DoesNotContain("\"cluster\"", ConfigJson.Write(EffectiveLimits.Resolve(ThrottleFsSettings.Empty, RuntimeOverrides.None)));
    }

    [Fact]
    public void ThePassword_IsNeverShown()
    {
        var cluster = new ClusterSettings("10.0.0.5:6379, password=s3cret,ssl=true", "throttlefs", "hv1");
        var limits = EffectiveLimits.Resolve(ThrottleFsSettings.Empty with { Cluster = cluster }, RuntimeOverrides.None);

        Assert.Equal("10.0.0.5:6379,password=…,ssl=true", cluster.RedisShown);
        Assert.DoesNotContain("s3cret", ConfigJson.Write(limits));
    }
}
