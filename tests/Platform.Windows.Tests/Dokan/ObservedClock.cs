using ThrottleFs.Qos;

namespace ThrottleFs.Platform.Windows.Tests.Dokan;

/// <summary>
/// The virtual clock as <see cref="ThrottleFs.Platform.Windows.Dokan.RequestWait"/> sees it, counting the timers it
/// arms: a Dokan thread has started to wait exactly when a timer was created, which is how a test knows the thread is
/// blocked before it moves time on, without sleeping.
/// </summary>
internal sealed class ObservedClock(VirtualClock clock) : TimeProvider
{
    private int _created;
    private int _live;

    public VirtualClock Clock { get; } = clock;

    /// <summary>Timers created so far.</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>Timers created and not yet disposed.</summary>
    public int Live => Volatile.Read(ref _live);

    public override long TimestampFrequency => Clock.TimestampFrequency;

    public override long GetTimestamp() => Clock.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => Clock.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Clock.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _live);
        Interlocked.Increment(ref _created);
        return new Observed(this, timer);
    }

    /// <summary>Waits (in real time, at most 10 s) until <paramref name="condition"/> holds; fails the test otherwise.</summary>
    public static void Until(Func<bool> condition, string what)
    {
        Assert.True(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(10)), $"timed out waiting until {what}");
    }

    private sealed class Observed(ObservedClock owner, ITimer timer) : ITimer
    {
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => timer.Change(dueTime, period);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner._live);
            }

            timer.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
