namespace ThrottleFs.Qos.Tests;

/// <summary>Percentiles come from logarithmic bins, but never say a request waited longer than any did.</summary>
public sealed class WaitHistogramTests
{
    [Theory]
    [InlineData(10_000_000L)]  // 10 ms lies low in its bin, whose upper bound is 10.49 ms
    [InlineData(1_000L)]
    [InlineData(123_456_789L)]
    public void Percentiles_NeverExceedTheLongestWait(long waitNs)
    {
        var histogram = new WaitHistogram();
        for (var i = 0; i < 100; i++)
        {
            histogram.Record(waitNs);
        }

        Assert.Equal(waitNs, histogram.Percentile(0.99));
        Assert.Equal(waitNs, histogram.Percentile(0.50));
    }

    [Fact]
    public void APercentile_IsTheUpperBoundOfItsBin_WhenLongerWaitsWereRecorded()
    {
        var histogram = new WaitHistogram();
        for (var i = 0; i < 99; i++)
        {
            histogram.Record(10_000_000);
        }

        histogram.Record(50_000_000);

        Assert.InRange(histogram.Percentile(0.50), 10_000_000, 12_500_000); // within 25 %, as the bins promise
        Assert.Equal(50_000_000, histogram.Percentile(1.0));
    }
}
