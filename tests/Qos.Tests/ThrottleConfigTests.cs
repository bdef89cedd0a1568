namespace ThrottleFs.Qos.Tests;

/// <summary>QEMU's /throttle/config/* tests (tests/unit/test-throttle.c) and the rules' messages (util/throttle.c).</summary>
public class ThrottleConfigTests
{
    private const long V = ThrottleConfig.ValueMax;

    public static TheoryData<BucketKind> Kinds => [.. Enum.GetValues<BucketKind>()];

    [Fact]
    public void AllZeroConfig_IsValidAndNotEnabled()
    {
        Assert.Empty(ThrottleConfig.Unlimited.Validate());
        Assert.False(ThrottleConfig.Unlimited.IsEnabled);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AnySingleBucket_IsValidAndEnabled_ButNotNegative(BucketKind kind)
    {
        var config = ThrottleConfig.Unlimited.With(kind, BucketConfig.Unlimited with { Avg = 150 });
        Assert.Empty(config.Validate());
        Assert.True(config.IsEnabled);

        var negative = ThrottleConfig.Unlimited.With(kind, BucketConfig.Unlimited with { Avg = -150 });
        Assert.Equal([$"{kind.Name()} must be within [0, {V}]"], negative.Validate());
    }

    [Theory]
    [InlineData("bps-total=1,bps-read=1", "bps-total and bps-read/bps-write cannot be used at the same time")]
    [InlineData("bps-total=1,bps-write=1", "bps-total and bps-read/bps-write cannot be used at the same time")]
    [InlineData("bps-total=1,bps-read=1,bps-write=1", "bps-total and bps-read/bps-write cannot be used at the same time")]
    [InlineData("iops-total=1,iops-read=1", "iops-total and iops-read/iops-write cannot be used at the same time")]
    [InlineData("iops-total=1,iops-write=1", "iops-total and iops-read/iops-write cannot be used at the same time")]
    [InlineData("iops-total=1,iops-read=1,iops-write=1", "iops-total and iops-read/iops-write cannot be used at the same time")]
    [InlineData("bps-total=1,bps-read=1,bps-total-max=1,bps-read-max=1", "bps-total and bps-read/bps-write cannot be used at the same time")]
    [InlineData("iops-total=1,iops-write=1,iops-total-max=1,iops-write-max=1", "iops-total and iops-read/iops-write cannot be used at the same time")]
    public void TotalAndReadWrite_Conflict(string spec, string firstError)
    {
        var config = ThrottleSpec.Parse(spec).ApplyTo(ThrottleConfig.Unlimited);
        Assert.Equal(firstError, config.Validate()[0]);
    }

    [Theory]
    [InlineData("bps-total=1")]
    [InlineData("bps-read=1,bps-write=1")]
    [InlineData("iops-total=1")]
    [InlineData("iops-read=1,iops-write=1")]
    [InlineData("bps-total=1,bps-total-max=1")]
    [InlineData("iops-read=1,iops-write=1,iops-read-max=1,iops-write-max=1")]
    [InlineData("bps-total=1,iops-read=1,iops-write=1")]
    public void TotalOrReadWrite_IsValid(string spec)
    {
        Assert.Empty(ThrottleSpec.Parse(spec).ApplyTo(ThrottleConfig.Unlimited).Validate());
    }

    [Fact]
    public void MaxConflict_NamesTheMaxKeys()
    {
        var config = ThrottleSpec.Parse("iops-total=1,iops-read=1,iops-total-max=1,iops-read-max=1").ApplyTo(ThrottleConfig.Unlimited);
        Assert.Contains("iops-total-max and iops-read-max/iops-write-max cannot be used at the same time", config.Validate());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AvgAndMax_MinusOneIsInvalid_ZeroAndOneAreValid(BucketKind kind)
    {
        foreach (var value in new long[] { -1, 0, 1 })
        {
            var avgOnly = ThrottleConfig.Unlimited.With(kind, new BucketConfig(value, 0, 1));
            Assert.Equal(value >= 0, avgOnly.Validate().Count == 0);

            var withMax = ThrottleConfig.Unlimited.With(kind, new BucketConfig(Math.Max(value, 1), value, 1));
            Assert.Equal(value >= 0, withMax.Validate().Count == 0);
        }
    }

    [Theory]
    [InlineData(0, 0, 1, true)]
    [InlineData(1, 0, 1, true)]
    [InlineData(V, 0, 1, true)]
    [InlineData(V, V, 1, true)]
    [InlineData(V + 1, V, 1, false)]
    [InlineData(V, V + 1, 1, false)]
    [InlineData(1, 1, 0, false)]
    [InlineData(1, 1, 1, true)]
    [InlineData(1, 1, V, true)]
    [InlineData(1, 1, V + 1, false)]
    [InlineData(1, 2, V / 2, true)]
    [InlineData(1, 3, V / 2, false)]
    [InlineData(1, V, 1, true)]
    [InlineData(1, V, 2, false)]
    public void Ranges_MatchQemu(long avg, long max, long length, bool valid)
    {
        foreach (var kind in Enum.GetValues<BucketKind>())
        {
            var config = ThrottleConfig.Unlimited.With(kind, new BucketConfig(avg, max, length));
            Assert.Equal(valid, config.Validate().Count == 0);
            if (avg == 0 && valid)
            {
                Assert.False(config.IsEnabled);
            }
        }
    }

    [Theory]
    [InlineData(100, 0, false)]
    [InlineData(0, 0, true)]
    [InlineData(0, 100, true)]
    [InlineData(30, 100, false)]
    [InlineData(100, 100, true)]
    public void Max_NeedsAvgAndMayNotBeLower(long max, long avg, bool valid)
    {
        var config = ThrottleConfig.Unlimited with { IopsTotal = new BucketConfig(avg, max, 1) };
        Assert.Equal(valid, config.Validate().Count == 0);
    }

    [Fact]
    public void IopsSize_NeedsAnIopsLimit()
    {
        var config = ThrottleConfig.Unlimited with { IopsSize = 4096, BpsTotal = new BucketConfig(1000, 0, 1) };
        Assert.Equal(["iops-size requires an iops limit (iops-total, iops-read or iops-write)"], config.Validate());
    }

    [Theory]
    [InlineData("iops-total=100,iops-total-max-length=0", "iops-total-max-length cannot be 0 (the default, 1 second, is the shortest burst)")]
    [InlineData("iops-total=100,iops-total-max-length=2", "iops-total-max-length set without iops-total-max (the burst length needs a burst rate)")]
    [InlineData("bps-read=1,bps-read-max=3,bps-read-max-length=500000000000000", "bps-read-max-length too high for this bps-read-max: bps-read-max × bps-read-max-length must not exceed 1000000000000000")]
    [InlineData("iops-write-max=100", "iops-write-max requires iops-write")]
    [InlineData("bps-write=100,bps-write-max=30", "bps-write-max cannot be lower than bps-write")]
    [InlineData("iops-read=-5", "iops-read must be within [0, 1000000000000000]")]
    public void EachRule_NamesTheOffendingKeys(string spec, string message)
    {
        var error = Assert.Throws<ThrottleConfigException>(() => ThrottleConfig.Parse(spec));
        Assert.Equal([message], error.Errors);
    }

    [Fact]
    public void Validate_ReportsEveryBrokenRuleInQemuOrder()
    {
        var config = ThrottleSpec.Parse("iops-total=1,iops-read=1,iops-size=4K,bps-write-max=5,iops-write-max-length=3")
            .ApplyTo(ThrottleConfig.Unlimited)
            .Validate();
        Assert.Equal(
        [
            "iops-total and iops-read/iops-write cannot be used at the same time",
            "bps-write-max requires bps-write",
            "iops-write-max-length set without iops-write-max (the burst length needs a burst rate)",
        ],
            config);
    }

    [Fact]
    public void ConfigFunctions_ReadBackExactlyWhatWasSet_WithEveryLevelEmpty()
    {
        // /throttle/config_functions: the raw config need not be valid; only the plumbing is checked.
        var config = ThrottleConfig.Unlimited with
        {
            BpsTotal = new(153, 0, 1),
            BpsRead = new(56, 56, 1),
            BpsWrite = new(1, 120, 1),
            IopsTotal = new(150, 150, 1),
            IopsRead = new(69, 400, 1),
            IopsWrite = new(23, 500, 1),
            IopsSize = 1,
        };
        var state = new LeakyThrottleState(config, nowNs: 42);
        Assert.Same(config, state.Config);
        foreach (var kind in Enum.GetValues<BucketKind>())
        {
            Assert.Equal(config[kind].Avg, state[kind].Avg);
            Assert.Equal(config[kind].Max, state[kind].Max);
            Assert.Equal(0, state[kind].Level);
            Assert.Equal(0, state[kind].BurstLevel);
        }
    }

    [Theory]
    [InlineData(4096, 512, 1)]
    [InlineData(4096, 4096, 1)]
    [InlineData(4096, 6144, 1.5)]
    [InlineData(4096, 8192, 2)]
    [InlineData(4096, 65536, 16)]
    [InlineData(0, 65536, 1)]
    public void IopsUnits_Fraction_IsQemus(long iopsSize, long bytes, double units)
    {
        var config = ThrottleConfig.Unlimited with { IopsSize = iopsSize };
        Assert.Equal(units, config.IopsUnits(bytes));
    }

    [Theory]
    [InlineData(8192, 4096, 1)]
    [InlineData(8192, 8192, 1)]
    [InlineData(8192, 12288, 2)]
    [InlineData(8192, 262144, 32)]
    [InlineData(8192, 262145, 33)]
    public void IopsUnits_RoundUp_CountsWholeOperations(long iopsSize, long bytes, double units)
    {
        var config = ThrottleConfig.Unlimited with { IopsSize = iopsSize, IopsSizeMode = IopsSizeMode.RoundUp };
        Assert.Equal(units, config.IopsUnits(bytes));
    }
}
