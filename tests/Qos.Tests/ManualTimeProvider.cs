namespace ThrottleFs.Qos.Tests;

/// <summary>
/// A virtual clock for deterministic tests. Time stands still until <see cref="Advance"/> moves it; timers created
/// through it fire inside <see cref="Advance"/>, in due order (ties in the order they were armed), with the clock
/// set to each timer's due time while its callback runs. Timestamps are nanoseconds.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly DateTimeOffset _epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _nowNs;
    private long _armedSequence;

    public override long TimestampFrequency => 1_000_000_000;

    /// <summary>Time since the provider was created.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Volatile.Read(ref _nowNs) / 100);

    public long NowNs => Volatile.Read(ref _nowNs);

    public override long GetTimestamp() => Volatile.Read(ref _nowNs);

    public override DateTimeOffset GetUtcNow() => _epoch + Elapsed;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>When the next armed timer falls due, or null when none is armed.</summary>
    public long? NextDueNs
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count == 0 ? null : _timers.Min(timer => timer.DueNs);
            }
        }
    }

    /// <summary>Moves the clock forward, firing every timer that falls due on the way.</summary>
    public void Advance(TimeSpan by) => AdvanceToNs(NowNs + (by.Ticks * 100));

    /// <summary>Moves the clock to an absolute time since creation.</summary>
    public void AdvanceTo(TimeSpan time) => AdvanceToNs(time.Ticks * 100);

    public void AdvanceToNs(long targetNs)
    {
        while (true)
        {
            ManualTimer? due = null;
            lock (_lock)
            {
                foreach (var timer in _timers)
                {
                    if (timer.DueNs <= targetNs &&
                        (due is null || timer.DueNs < due.DueNs || (timer.DueNs == due.DueNs && timer.Sequence < due.Sequence)))
                    {
                        due = timer;
                    }
                }

                if (due is null)
                {
                    _nowNs = Math.Max(_nowNs, targetNs);
                    return;
                }

                _nowNs = Math.Max(_nowNs, due.DueNs);
                if (due.PeriodNs > 0)
                {
                    due.DueNs += due.PeriodNs;
                    due.Sequence = ++_armedSequence;
                }
                else
                {
                    _timers.Remove(due);
                }
            }

            // Outside the lock: a callback may re-arm its own timer or others.
            due.Callback(due.State);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public TimerCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public long DueNs { get; set; }

        public long PeriodNs { get; set; }

        public long Sequence { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }

                DueNs = owner._nowNs + (dueTime.Ticks * 100);
                PeriodNs = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks * 100;
                Sequence = ++owner._armedSequence;
                owner._timers.Add(this);
                return true;
            }
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
