namespace ThrottleFs.Qos.Tests;

public class VirtualClockTests
{
    [Fact]
    public void TimersFireInDueOrder_WithTheClockAtTheirDueTime()
    {
        var clock = new VirtualClock();
        var fired = new List<(string, long)>();
        using var late = clock.CreateTimer(_ => fired.Add(("late", clock.NowNs)), null, TimeSpan.FromMilliseconds(20), Timeout.InfiniteTimeSpan);
        using var early = clock.CreateTimer(_ => fired.Add(("early", clock.NowNs)), null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
        using var tie = clock.CreateTimer(_ => fired.Add(("tie", clock.NowNs)), null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromMilliseconds(15));
        Assert.Equal([("early", 10_000_000L), ("tie", 10_000_000L)], fired);
        Assert.Equal(15_000_000, clock.NowNs);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(("late", 20_000_000L), fired[^1]);
    }

    [Fact]
    public void ACallbackMayRearmItsTimer_WhichFiresWithinTheSameAdvance()
    {
        var clock = new VirtualClock();
        var count = 0;
        ITimer? timer = null;
        timer = clock.CreateTimer(_ => { count++; timer!.Change(TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan); }, null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(11, count);
        timer.Dispose();
        clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(11, count);
    }

    [Fact]
    public void DisarmedTimers_DoNotFire()
    {
        var clock = new VirtualClock();
        var fired = false;
        using var timer = clock.CreateTimer(_ => fired = true, null, TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(fired);
    }

    [Fact]
    public void TimersStoppedOrMovedByTheThousand_LeaveNoEntryThatFiresOrStays()
    {
        var clock = new VirtualClock();
        var fired = 0;
        var kept = clock.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
        for (var i = 0; i < 10_000; i++)
        {
            using var stopped = clock.CreateTimer(_ => fired += 1000, null, TimeSpan.FromDays(1), Timeout.InfiniteTimeSpan);
            kept.Change(TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
        }

        Assert.Equal(5_000_000_000, clock.NextDueNs);
        clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, fired);
        Assert.Null(clock.NextDueNs);
    }
}
