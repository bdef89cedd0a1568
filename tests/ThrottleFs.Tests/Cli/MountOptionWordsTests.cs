using ThrottleFs.Cli;

namespace ThrottleFs.Tests.Cli;

/// <summary>The words of -o as mount(8) and fstab give them to the mount helper.</summary>
public sealed class MountOptionWordsTests
{
    [Fact]
    public void OwnKernelAndMountOnlyWords_AreSortedApart()
    {
        var words = MountOptionWords.Parse(["config=/etc/throttlefs/vms.json,limit=iops-total=500:bps-total=100M,allow_other,nofail",
            "noatime,x-systemd.automount,comment=x,set=groups:vms:iops-total=7,set=logging:level=Debug,page-cache,algorithm=token,_netdev"]);

        Assert.Empty(words.Problems);
        Assert.Equal("/etc/throttlefs/vms.json", words.Config);
        Assert.Equal("iops-total=500,bps-total=100M", words.Limit);
        Assert.Equal("token", words.Algorithm);
        Assert.Equal(["groups:vms:iops-total=7", "logging:level=Debug"], words.Set);
        Assert.True(words.PageCache);
        Assert.Equal(["allow_other", "noatime"], words.Platform);
    }

    [Fact]
    public void AQuotedValue_KeepsItsCommas()
    {
        var words = MountOptionWords.Parse(["limit=\"iops-total=50,iops-total-max=50\",mount-limit=\"bps-total=1G\",ro"]);

        Assert.Equal("iops-total=50,iops-total-max=50", words.Limit);
        Assert.Equal("bps-total=1G", words.MountLimit);
        Assert.Equal(["ro"], words.Platform);
    }

    [Theory]
    [InlineData("limt=iops-total=5", "-o limt=iops-total=5: not a ThrottleFs, FUSE or mount option (did you mean 'limit'?)")]
    [InlineData("loop", "-o loop: not a ThrottleFs, FUSE or mount option")]
    [InlineData("config=", "-o config=: give a value")]
    [InlineData("page-cache=yes", "-o page-cache=yes: page-cache takes no value")]
    public void AnUnknownOrIncompleteWord_IsRefusedByName(string option, string expected)
    {
        var words = MountOptionWords.Parse([option]);

        Assert.Contains(words.Problems, problem => problem.StartsWith(expected, StringComparison.Ordinal));
    }
}

/// <summary>metrics-listen in the config, checked when read.</summary>
public sealed class MetricsListenSettingTests
{
    [Theory]
    [InlineData("9101", "127.0.0.1", 9101)]
    [InlineData("0.0.0.0:9101", "+", 9101)]
    [InlineData("localhost:80", "127.0.0.1", 80)]
    [InlineData("10.0.0.5:9101", "10.0.0.5", 9101)]
    public void AnAddress_IsLoopbackUnlessItSaysOtherwise(string address, string host, int port) =>
        Assert.Equal((host, port), ThrottleFs.Statistics.MetricsEndpoint.Parse(address));

    [Fact]
    public void ABadAddress_IsRefusedNamingTheKey()
    {
        using var config = new TempConfig("""{ "metrics-listen": "127.0.0.1:http" }""");

        var error = Assert.Throws<ThrottleFs.Configuration.ConfigException>(() => new ThrottleFs.Configuration.ConfigSource(config.Path, []).Load());

        Assert.Contains(error.Errors, e => e.Contains("metrics-listen: '127.0.0.1:http' is not HOST:PORT", StringComparison.Ordinal));
    }
}
