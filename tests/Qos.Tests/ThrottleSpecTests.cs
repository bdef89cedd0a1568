namespace ThrottleFs.Qos.Tests;

public class ThrottleSpecTests
{
    [Fact]
    public void Parse_ReadsQemuNamesWithBinarySuffixes()
    {
        var config = ThrottleConfig.Parse("iops-total=100,iops-total-max=2000,iops-total-max-length=60,bps-read=10M,iops-size=4096");
        Assert.Equal(new BucketConfig(100, 2000, 60), config.IopsTotal);
        Assert.Equal(new BucketConfig(10 * 1024 * 1024, 0, 1), config.BpsRead);
        Assert.Equal(4096, config.IopsSize);
    }

    [Theory]
    [InlineData("bps-total=1K", 1024)]
    [InlineData("bps-total=1k", 1024)]
    [InlineData("bps-total=2M", 2 * 1024 * 1024)]
    [InlineData("bps-total=3G", 3L << 30)]
    [InlineData("bps-total=1T", 1L << 40)]
    [InlineData("bps-total=5MiB", 5 * 1024 * 1024)]
    [InlineData("bps-total=5MB", 5 * 1024 * 1024)]
    [InlineData("bps-total=123", 123)]
    public void Parse_SuffixesArePowersOf1024(string spec, long bytes)
    {
        Assert.Equal(bytes, ThrottleConfig.Parse(spec).BpsTotal.Avg);
    }

    [Fact]
    public void Parse_AcceptsSpacesCommasAndQemuPrefix()
    {
        var config = ThrottleConfig.Parse("  throttling.iops-read=5 iops-write=7,\tbps-total=1M ");
        Assert.Equal(5, config.IopsRead.Avg);
        Assert.Equal(7, config.IopsWrite.Avg);
        Assert.Equal(1 << 20, config.BpsTotal.Avg);
    }

    [Theory]
    [InlineData("total_iops_sec=100,total_iops_sec_max=2000,total_iops_sec_max_length=60,size_iops_sec=4096,read_bytes_sec=1000,write_bytes_sec=2000,read_bytes_sec_max=3000,write_bytes_sec_max_length=1")]
    [InlineData("iops=100,iops_max=2000,iops_max_length=60,iops_size=4096,bps_rd=1000,bps_wr=2000,bps_rd_max=3000,bps_wr_max_length=1")]
    [InlineData("iops-total=100,iops-total-max=2000,iops-total-max-length=60,iops-size=4096,bps-read=1000,bps-write=2000,bps-read-max=3000,bps-write-max-length=1")]
    public void LibvirtQmpAndQemuNames_AreTheSameKeys(string spec)
    {
        var config = ThrottleConfig.Parse(spec);
        Assert.Equal(new BucketConfig(100, 2000, 60), config.IopsTotal);
        Assert.Equal(new BucketConfig(1000, 3000, 1), config.BpsRead);
        Assert.Equal(new BucketConfig(2000, 0, 1), config.BpsWrite);
        Assert.Equal(4096, config.IopsSize);
    }

    [Fact]
    public void EveryLibvirtIotuneElement_HasAKey()
    {
        string[] iotune =
        [
            "total_bytes_sec", "read_bytes_sec", "write_bytes_sec", "total_iops_sec", "read_iops_sec", "write_iops_sec",
            "total_bytes_sec_max", "read_bytes_sec_max", "write_bytes_sec_max", "total_iops_sec_max", "read_iops_sec_max",
            "write_iops_sec_max", "size_iops_sec", "total_bytes_sec_max_length", "read_bytes_sec_max_length",
            "write_bytes_sec_max_length", "total_iops_sec_max_length", "read_iops_sec_max_length", "write_iops_sec_max_length",
        ];
        foreach (var name in iotune)
        {
            Assert.True(ThrottleKeys.TryFind(name, out _), name);
        }
    }

    [Fact]
    public void Apply_MergesKeysAndKeepsTheRest()
    {
        var before = ThrottleConfig.Parse("iops-total=100,bps-read=1M,bps-write=2M");
        var after = before.Apply("iops-total=50 bps-write=0");
        Assert.Equal(50, after.IopsTotal.Avg);
        Assert.Equal(1 << 20, after.BpsRead.Avg);
        Assert.Equal(0, after.BpsWrite.Avg);
    }

    [Fact]
    public void Apply_ValidatesTheMergedWhole()
    {
        var before = ThrottleConfig.Parse("iops-total=100");
        var refused = Assert.Throws<ThrottleConfigException>(() => before.Apply("iops-read=50"));
        Assert.Equal(["iops-total and iops-read/iops-write cannot be used at the same time"], refused.Errors);

        // Keys that are only valid together are applied together.
        var after = before.Apply("iops-total=0,iops-read=50");
        Assert.Equal(50, after.IopsRead.Avg);
    }

    [Fact]
    public void Parse_ReadsTheThrottleFsChoices()
    {
        var config = ThrottleConfig.Parse("iops-total=10,iops-size=8K,iops-size-mode=round-up,algorithm=token,on-change=reset");
        Assert.Equal(IopsSizeMode.RoundUp, config.IopsSizeMode);
        Assert.Equal(ThrottleAlgorithm.Token, config.Algorithm);
        Assert.Equal(LevelsOnChange.Reset, config.OnChange);
    }

    [Theory]
    [InlineData("iops-totl=100", "unknown key 'iops-totl' (did you mean 'iops-total'?)")]
    [InlineData("speed=100", "unknown key 'speed' (keys are QEMU names such as iops-total, bps-read-max, iops-size, or libvirt names such as total_iops_sec)")]
    [InlineData("iops-total", "'iops-total' is not key=value (write e.g. iops-total=100)")]
    [InlineData("iops-total=", "'iops-total=' is not key=value (write e.g. iops-total=100)")]
    [InlineData("iops-total=fast", "iops-total: 'fast' is not a whole number (write e.g. iops-total=100; K, M, G, T are powers of 1024)")]
    [InlineData("bps-read=1.5M", "bps-read: '1.5M' is not a whole number (write e.g. bps-read=10M; K, M, G, T are powers of 1024)")]
    [InlineData("bps-read=99999999999T", "bps-read: '99999999999T' is not a whole number (write e.g. bps-read=10M; K, M, G, T are powers of 1024)")]
    [InlineData("iops-total=1,iops=2", "iops-total is given twice (as 'iops-total' and 'iops')")]
    [InlineData("algorithm=fastest", "algorithm: 'fastest' is not one of leaky, token")]
    [InlineData("on-change=forget", "on-change: 'forget' is not one of keep, reset")]
    [InlineData("iops-size-mode=ceil", "iops-size-mode: 'ceil' is not one of fraction, round-up")]
    public void BadInput_IsRefusedWithAMessageThatSaysWhatToDo(string spec, string message)
    {
        var error = Assert.Throws<ThrottleConfigException>(() => ThrottleConfig.Parse(spec));
        Assert.Equal(message, error.Errors[0]);
    }

    [Fact]
    public void BadInput_ListsEveryProblem()
    {
        var error = Assert.Throws<ThrottleConfigException>(() => ThrottleConfig.Parse("iops-totl=1 bps-read=x speed=2"));
        Assert.Equal(2, error.Errors.Count); // the two unknown keys; values are only parsed once the keys are known
    }

    [Theory]
    [InlineData("unlimited", "")]
    [InlineData("bps-read=10M,iops-total=100,iops-total-max=2000,iops-total-max-length=60,iops-size=4K", "iops-total=100,iops-total-max=2000,iops-total-max-length=60,bps-read=10M,iops-size=4K")]
    [InlineData("bps-total=1000", "bps-total=1000")]
    [InlineData("iops-read=5,algorithm=token,on-change=reset", "iops-read=5,algorithm=token,on-change=reset")]
    public void ToString_IsASpecThatParsesBack(string expected, string spec)
    {
        if (spec.Length == 0)
        {
            Assert.Equal(expected, ThrottleConfig.Unlimited.ToString());
            return;
        }

        var config = ThrottleConfig.Parse(spec);
        var text = config.ToString();
        Assert.Equal(config, ThrottleConfig.Parse(text));
        Assert.Equal(expected.Split(',').Order(), text.Split(',').Order());
    }

    [Fact]
    public void Then_MergesChanges_LaterKeysWinInPlace_WhateverTheirSpelling()
    {
        var merged = ThrottleSpec.Parse("iops-total=100,bps-read=1M").Then(ThrottleSpec.FromPairs([("total_iops_sec", "50"), ("iops_size", "4K")]));
        Assert.Equal("iops-total=50,bps-read=1M,iops-size=4K", merged.ToString());
        Assert.True(ThrottleSpec.Empty.Then(ThrottleSpec.Empty).IsEmpty);
    }

    [Fact]
    public void FromPairs_RefusesUnknownAndRepeatedKeys_AndAcceptsUnderscoresForDashes()
    {
        var refused = Assert.Throws<ThrottleConfigException>(() => ThrottleSpec.FromPairs([("iops-totl", "1"), ("bps", "1"), ("bps-total", "2")]));
        Assert.Equal(["unknown key 'iops-totl' (did you mean 'iops-total'?)", "bps-total is given twice (as 'bps' and 'bps-total')"], refused.Errors);
        Assert.Equal("iops-total-max-length=60", ThrottleSpec.FromPairs([("IOPS_TOTAL_MAX_LENGTH", "60")]).ToString());
    }
}
