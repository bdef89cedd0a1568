namespace ThrottleFs.Qos.Tests;

public sealed class AdmissionMeterTests
{
    [Fact]
    public void ImmediateAndWaitedRequests_CountEndToEnd_WithImmediateOnesAsZeroWaits()
    {
        var meter = new AdmissionMeter();
        for (var i = 0; i < 90; i++)
        {
            meter.RecordImmediate(ThrottleDirection.Read, 4096);
        }

        for (var i = 1; i <= 10; i++)
        {
            meter.RecordQueued(ThrottleDirection.Read);
            meter.RecordWaited(ThrottleDirection.Read, 4096, waitNs: i * 1_000_000L, admitted: true);
        }

        meter.RecordQueued(ThrottleDirection.Read);
        meter.RecordQueued(ThrottleDirection.Read);
        meter.RecordWaited(ThrottleDirection.Read, 4096, waitNs: 50_000_000, admitted: false); // interrupted: not admitted

        var read = meter.GetStatistics(ThrottleDirection.Read);
        Assert.Equal((100L, 100L * 4096, 10L, 1), (read.Ops, read.Bytes, read.Throttled, read.QueueDepth));
        Assert.Equal(TimeSpan.Zero, read.WaitP50); // 90 of 100 did not wait
        Assert.InRange(read.WaitP99.TotalMilliseconds, 9, 10 * 1.25); // bins are within 25 %
        Assert.Equal(TimeSpan.FromMilliseconds(10), read.MaxWait);
        Assert.Equal(TimeSpan.FromMilliseconds(55), read.TotalWait);
        Assert.Equal(0, meter.GetStatistics(ThrottleDirection.Write).Ops);
    }
}
