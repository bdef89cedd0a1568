using ThrottleFs.Configuration;

namespace ThrottleFs.Tests.Configuration;

/// <summary>
/// The config's <c>max-wait</c>: a duration or <c>none</c>, checked like every other key (a bad value names itself and
/// what to write instead, and the old settings stay), written back as read.
/// </summary>
public sealed class WaitCapTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("30s", 30_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2m", 120_000)]
    [InlineData(" 5S ", 5_000)]
    [InlineData("1ms", 1)]
    [InlineData("1440m", 86_400_000)]
    public void Durations_AreRead(string text, double milliseconds)
    {
        Assert.True(WaitCap.TryParse(text, out var cap, out var problem), problem);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), cap);
    }

    [Fact]
    public void None_MeansWaitingAsLongAsItTakes()
    {
        Assert.True(WaitCap.TryParse("none", out var cap, out _));
        Assert.Equal(Timeout.InfiniteTimeSpan, cap);
        Assert.Equal("none", WaitCap.Format(cap));
    }

    [Theory]
    [InlineData("30", "is not a duration")]
    [InlineData("soon", "is not a duration")]
    [InlineData("-5s", "is not a duration")]
    [InlineData("", "is not a duration")]
    [InlineData("0s", "out of range")]
    [InlineData("0.5ms", "out of range")]
    [InlineData("25h", "is not a duration")]
    [InlineData("1441m", "out of range")]
    public void BadValues_AreRefused_SayingWhatToWrite(string text, string reason)
    {
        Assert.False(WaitCap.TryParse(text, out _, out var problem));
        Assert.Contains(reason, problem);
        Assert.Contains($"'{text}'", problem);
    }

    [Theory]
    [InlineData("250ms")]
    [InlineData("30s")]
    [InlineData("90s")]
    [InlineData("1500ms")]
    public void Format_WritesWhatParsesBackToTheSameCap(string text)
    {
        WaitCap.TryParse(text, out var cap, out _);
        Assert.True(WaitCap.TryParse(WaitCap.Format(cap), out var again, out _));
        Assert.Equal(cap, again);
    }

    [Fact]
    public void TheConfigKey_IsRead_AndUnsetMeansTheHostDecides()
    {
        using var set = new TempConfig("""{ "max-wait": "10s" }""");
        using var unset = new TempConfig("{}");

        Assert.Equal(TimeSpan.FromSeconds(10), new ConfigSource(set.Path, []).Load().MaxWait);
        Assert.Null(new ConfigSource(unset.Path, []).Load().MaxWait);
    }

    [Theory]
    [InlineData("""{ "max-wait": "forever" }""", "max-wait")]
    [InlineData("""{ "max-wait": 30 }""", "max-wait")]
    public void ABadConfigValue_IsRefused_NamingTheKey(string json, string key)
    {
        using var config = new TempConfig(json);
        var refused = Assert.Throws<ConfigException>(() => new ConfigSource(config.Path, []).Load());
        Assert.Contains(key, string.Join("\n", refused.Errors));
    }

    [Fact]
    public void TheControlFile_ShowsTheCap_OnlyWhenTheConfigSetsOne()
    {
        var capped = EffectiveLimits.Resolve(new ThrottleFsSettings { MaxWait = TimeSpan.FromMilliseconds(250) }, RuntimeOverrides.None);
        var uncapped = EffectiveLimits.Resolve(new ThrottleFsSettings(), RuntimeOverrides.None);

        Assert.Contains("\"max-wait\": \"250ms\"", ConfigJson.Write(capped));
        Assert.DoesNotContain("max-wait", ConfigJson.Write(uncapped));
    }
}
