using ThrottleFs.Cli;

namespace ThrottleFs.Tests;

public class HumanUnitsTests
{
    [Theory]
    [InlineData(0, "0 op/s")]
    [InlineData(0.25, "0.3 op/s")]
    [InlineData(2.5, "2.5 op/s")]
    [InlineData(250, "250 op/s")]
    [InlineData(999, "999 op/s")]
    [InlineData(1000, "1.0k op/s")]
    [InlineData(1550, "1.6k op/s")]
    [InlineData(2_300_000, "2.3M op/s")]
    [InlineData(-5, "0 op/s")]
    [InlineData(double.NaN, "0 op/s")]
    public void OpsPerSecond_UsesSiPrefixes(double rate, string text)
    {
        Assert.Equal(text, HumanUnits.OpsPerSecond(rate));
    }

    [Theory]
    [InlineData(0, "0 B/s")]
    [InlineData(512, "512 B/s")]
    [InlineData(1024, "1.0 KiB/s")]
    [InlineData(4 * 1024 * 1024, "4.0 MiB/s")]
    [InlineData(1.5 * 1024 * 1024 * 1024, "1.5 GiB/s")]
    [InlineData(3L << 40, "3.0 TiB/s")]
    [InlineData(double.PositiveInfinity, "0 B/s")]
    public void BytesPerSecond_UsesBinaryPrefixes(double rate, string text)
    {
        Assert.Equal(text, HumanUnits.BytesPerSecond(rate));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(42.9, "42s")]
    [InlineData(725, "12m05s")]
    [InlineData(3725.5, "1h02m05s")]
    [InlineData(2 * 86400 + 3 * 3600 + 4 * 60 + 5, "2d03h04m")]
    public void Duration_IsToTheSecond(double seconds, string text)
    {
        Assert.Equal(text, HumanUnits.Duration(seconds));
    }
}
