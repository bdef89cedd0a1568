namespace ThrottleFs.Qos;

/// <summary>
/// A clock that stands still until it is moved: the tests run the engine on it deterministically, and
/// <c>throttlefs simulate</c> replays hours of recorded I/O through the engine on it in seconds. Timers created
/// through it fire inside <see cref="AdvanceToNs"/>, in due order (ties in the order they were armed), with the
/// clock set to each timer's due time while its callback runs. Timestamps are nanoseconds since creation.
/// </summary>
/// <remarks>
/// Timers sit in a priority queue, so a simulation with thousands of waiting files pays a logarithm per timer, not a
/// scan. A timer that is re-armed or stopped leaves its old entry behind; the entry no longer matches the timer's
/// due time and sequence, and is skipped when it comes up. Entries for far-off times that will not come up soon
/// are swept out once they are the queue's majority, so a long replay does not hoard them.
/// </remarks>
public sealed class VirtualClock : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<VirtualTimer, (long DueNs, long Sequence)> _timers = new();
    private readonly DateTimeOffset _epoch;
    private long _nowNs;
    private long _armedSequence;
    private int _stale;

    /// <summary>A clock whose wall time starts at <paramref name="epoch"/> (2026-01-01 UTC when not given).</summary>
    public VirtualClock(DateTimeOffset? epoch = null) => _epoch = epoch ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc/>
    public override long TimestampFrequency => 1_000_000_000;

    /// <summary>Time since the clock was created.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(NowNs / 100);

    /// <summary>Nanoseconds since the clock was created.</summary>
    public long NowNs => Volatile.Read(ref _nowNs);

    /// <inheritdoc/>
    public override long GetTimestamp() => NowNs;

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => _epoch + Elapsed;

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>When the next armed timer falls due (nanoseconds since creation), or null when none is armed.</summary>
    public long? NextDueNs
    {
        get
        {
            lock (_lock)
            {
                return PeekArmed() is { } timer ? timer.DueNs : null;
            }
        }
    }

    /// <summary>Moves the clock forward, firing every timer that falls due on the way.</summary>
    public void Advance(TimeSpan by) => AdvanceToNs(NowNs + (by.Ticks * 100));

    /// <summary>Moves the clock to a time since creation, firing every timer that falls due on the way.</summary>
    public void AdvanceTo(TimeSpan time) => AdvanceToNs(time.Ticks * 100);

    /// <summary>
    /// Moves the clock to <paramref name="targetNs"/> nanoseconds since creation, firing every timer due by then; a
    /// timer a callback arms for a time already reached fires in the same call. The clock never moves back.
    /// </summary>
    public void AdvanceToNs(long targetNs)
    {
        while (true)
        {
            VirtualTimer? due;
            lock (_lock)
            {
                due = PeekArmed();
                if (due is null || due.DueNs > targetNs)
                {
                    _nowNs = Math.Max(_nowNs, targetNs);
                    return;
                }

                _timers.Dequeue();
                due.Armed = false; // its entry is gone: not stale
                _nowNs = Math.Max(_nowNs, due.DueNs);
                if (due.PeriodNs > 0)
                {
                    Arm(due, due.DueNs + due.PeriodNs, due.PeriodNs);
                }
            }

            // Outside the lock: a callback may re-arm its own timer or others.
            due.Callback(due.State);
        }
    }

    // The earliest armed timer, dropping stale entries on the way. Under the lock.
    private VirtualTimer? PeekArmed()
    {
        while (_timers.TryPeek(out var timer, out var entry))
        {
            if (timer.Armed && entry == (timer.DueNs, timer.Sequence))
            {
                return timer;
            }

            _timers.Dequeue();
            _stale--;
        }

        return null;
    }

    // Under the lock: the timer's entry in the queue, if it has one, no longer counts.
    private void Disarm(VirtualTimer timer)
    {
        if (!timer.Armed)
        {
            return;
        }

        timer.Armed = false;
        if (++_stale > 1024 && _stale > _timers.Count / 2)
        {
            var live = _timers.UnorderedItems.Where(item => item.Element.Armed && item.Priority == (item.Element.DueNs, item.Element.Sequence)).ToList();
            _timers.Clear();
            _timers.EnqueueRange(live);
            _stale = 0;
        }
    }

    // Under the lock.
    private void Arm(VirtualTimer timer, long dueNs, long periodNs)
    {
        Disarm(timer);
        timer.DueNs = dueNs;
        timer.PeriodNs = periodNs;
        timer.Sequence = ++_armedSequence;
        timer.Armed = true;
        _timers.Enqueue(timer, (dueNs, timer.Sequence));
    }

    private sealed class VirtualTimer(VirtualClock owner, TimerCallback callback, object? state) : ITimer
    {
        public TimerCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public long DueNs { get; set; }

        public long PeriodNs { get; set; }

        public long Sequence { get; set; }

        public bool Armed { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    owner.Disarm(this);
                    return true;
                }

                var periodNs = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks * 100;
                owner.Arm(this, owner._nowNs + (dueTime.Ticks * 100), periodNs);
                return true;
            }
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner.Disarm(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
