namespace ThrottleFs.Qos;

/*
 * A throttle group, after QEMU's block/throttle-groups.c.
 *
 * One ThrottleState (the buckets) is shared by every member; a group of one member is simply a file's own
 * limits. Per member and per direction there is a FIFO queue; per direction the group has at most one armed timer
 * and a round-robin turn naming the member whose turn it is (QEMU calls it the "token"; it is not a bucket token).
 *
 * A new request from member m in direction d:
 *   - queues if the timer for d is armed or m already has requests queued in d (order is never overtaken);
 *   - otherwise asks the state: if it may pass it is charged and admitted at once; if not, the timer is armed for
 *     the wait and the request queues.
 * When the timer fires it releases the head request of the member it was armed for. QEMU charges that request
 * without checking again, since the wait was computed to end exactly when the buckets have room. Then "schedule
 * next" walks the members in a circle from the turn holder to the next one with queued requests: if the buckets
 * have room its request goes at once (QEMU prefers the member that just ran), otherwise the timer is armed for it.
 * Under saturation every expiry releases one request from the next waiting member, so members share the limit
 * evenly by request count.
 *
 * Invariant, kept under the lock: if any request is queued in direction d, the timer for d is armed. That is what
 * lets a new request that finds the timer idle skip the round-robin walk.
 *
 * A reconfiguration applies the new limits to the shared state and re-evaluates the queues at once: an armed timer
 * is dropped and "schedule next" runs under the new limits, so raising a limit frees waiting requests immediately.
 *
 * Locking: _lock guards every field marked below and every member's queues, counters and list links. It is never
 * held while calling into another group: released requests are collected in a ReleasedBatch and moved on to the
 * next layer of their chain after the lock is dropped. Continuations always run on the thread pool.
 */

/// <summary>
/// A set of buckets shared by its members, with QEMU's queueing, timers and round-robin release. Admission is
/// asynchronous: a waiting request holds no thread, and time comes only from the <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class ThrottleGroup : IDisposable
{
    private const int Directions = 2;
    private static readonly TimerCallback OnReadTimer = static state => ((ThrottleGroup)state!).OnTimer(ThrottleDirection.Read);
    private static readonly TimerCallback OnWriteTimer = static state => ((ThrottleGroup)state!).OnTimer(ThrottleDirection.Write);
    private static readonly TimerCallback OnReadExpiry = static state => ((ThrottleGroup)state!).OnExpiry(ThrottleDirection.Read);
    private static readonly TimerCallback OnWriteExpiry = static state => ((ThrottleGroup)state!).OnExpiry(ThrottleDirection.Write);

    private readonly TimeProvider _time;
    private readonly long _nanosecondsPerTimestamp;
    private readonly long _timestampFrequency;
    private readonly Lock _lock = new();

    // Guarded by _lock.
    private ThrottleState _state;
    private ThrottleGroupMember? _members;
    private PerDirection<ThrottleGroupMember?> _turns;
    private PerDirection<ThrottleGroupMember?> _timerOwners;
    private PerDirection<ITimer?> _timers; // made when first armed: most groups never wait
    private PerDirection<bool> _timerArmed;
    private PerDirection<long> _timerDueNs;
    private PerDirection<DirectionCounters> _counters;
    private PerDirection<ITimer?> _expiryTimers; // max-wait: made when first armed
    private PerDirection<bool> _expiryArmed;
    private long _latestNs;
    private bool _disposed;
    private Random? _jitter; // made when a config first asks for jitter
    private long _jitterSeed;

    /// <summary>Creates a group with the given limits.</summary>
    /// <param name="name">Shown in statistics and errors.</param>
    /// <param name="config">The limits; must be valid.</param>
    /// <param name="timeProvider">The clock and timers; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="waitPercentiles">
    /// Whether <see cref="GetStatistics()"/> reports wait percentiles. A group standing for one file's own limits can
    /// leave them to the file's <see cref="AdmissionMeter"/>, which measures its whole chain, and save a histogram.
    /// </param>
    /// <exception cref="ThrottleConfigException">The config breaks a rule.</exception>
    public ThrottleGroup(string name, ThrottleConfig config, TimeProvider? timeProvider = null, bool waitPercentiles = true)
    {
        Name = name;
        _time = timeProvider ?? TimeProvider.System;
        _timestampFrequency = _time.TimestampFrequency;
        _nanosecondsPerTimestamp = 1_000_000_000 % _timestampFrequency == 0 ? 1_000_000_000 / _timestampFrequency : 0;
        _latestNs = NowNs();
        _state = ThrottleState.Create(config.EnsureValid(), _latestNs);
        _counters[0] = new DirectionCounters(waitPercentiles);
        _counters[1] = new DirectionCounters(waitPercentiles);
    }

    /// <summary>The group's name.</summary>
    public string Name { get; }

    /// <summary>The limits in force.</summary>
    public ThrottleConfig Config => Volatile.Read(ref _state).Config;

    /// <summary>The clock the group's waits run on.</summary>
    internal TimeProvider Time => _time;

    /// <summary>
    /// The latency this group adds to an admitted request in <paramref name="direction"/>: the config's fixed delay and
    /// a uniform draw of its jitter, from a sequence its seed makes repeatable.
    /// </summary>
    internal long LatencyNs(ThrottleDirection direction)
    {
        var config = Config;
        var fixedNs = direction == ThrottleDirection.Read ? config.LatencyRead : config.LatencyWrite;
        if (config.LatencyJitter == 0)
        {
            return fixedNs;
        }

        lock (_lock)
        {
            if (_jitter is null || _jitterSeed != config.LatencySeed)
            {
                _jitterSeed = config.LatencySeed;
                _jitter = config.LatencySeed == 0 ? new Random() : new Random((int)(config.LatencySeed ^ (config.LatencySeed >> 32)));
            }

            return fixedNs + (long)(_jitter.NextDouble() * config.LatencyJitter);
        }
    }

    /// <summary>Adds a member. Like QEMU, the newest member goes to the head of the round-robin list.</summary>
    /// <exception cref="ObjectDisposedException">The group was disposed.</exception>
    public ThrottleGroupMember Join(string name)
    {
        var member = new ThrottleGroupMember(this, name);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            member.Next = _members;
            if (_members is not null)
            {
                _members.Previous = member;
            }

            _members = member;
            for (var d = 0; d < Directions; d++)
            {
                _turns[d] ??= member;
            }
        }

        return member;
    }

    /// <summary>
    /// Applies new limits to every member at once. The config is validated first; if it is refused the old limits
    /// stay in force. Levels are kept or emptied as the new config's <see cref="ThrottleConfig.OnChange"/> says (a
    /// change of algorithm always starts fresh), and waiting requests are re-evaluated at once.
    /// </summary>
    /// <exception cref="ThrottleConfigException">The config breaks a rule; nothing changed.</exception>
    /// <exception cref="ObjectDisposedException">The group was disposed.</exception>
    public void Reconfigure(ThrottleConfig config)
    {
        config.EnsureValid();
        var released = default(ReleasedBatch);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = MonotonicUnsynchronized(NowNs());
            if (config.Algorithm == _state.Config.Algorithm || _state is LeasedThrottleState)
            {
                _state.Reconfigure(config, now);
            }
            else
            {
                ReplaceStateUnsynchronized(ThrottleState.Create(config, now));
            }

            ReevaluateQueuesUnsynchronized(now, ref released);
            for (var d = 0; d < Directions; d++)
            {
                // A cap set now applies to the requests already waiting, from when they began to.
                if (config.MaxWait != 0)
                {
                    ArmExpiryUnsynchronized(d, config.MaxWait);
                }
            }
        }

        released.ContinueAll();
    }

    /// <summary>A snapshot of the group's limits, counters, buckets and members.</summary>
    public ThrottleStatistics GetStatistics()
    {
        lock (_lock)
        {
            var members = new List<ThrottleMemberStatistics>();
            for (var member = _members; member is not null; member = member.Next)
            {
                members.Add(MemberStatisticsUnsynchronized(member));
            }

            return new ThrottleStatistics(
                Name, _state.Config, _counters[0].Snapshot(), _counters[1].Snapshot(), _state.GetBuckets(MonotonicUnsynchronized(NowNs())), members);
        }
    }

    /// <summary>Stops the timers and fails every waiting request with <see cref="ObjectDisposedException"/>. Idempotent.</summary>
    public void Dispose()
    {
        var failed = default(ReleasedBatch);
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            for (var member = _members; member is not null; member = member.Next)
            {
                for (var d = 0; d < Directions; d++)
                {
                    while (member.Queues[d].Head is { } request)
                    {
                        UnqueueUnsynchronized(member, request, d);
                        failed.Add(request);
                    }
                }
            }

            ((Span<bool>)_timerArmed).Clear();
        }

        foreach (var timer in _timers)
        {
            timer?.Dispose();
        }

        foreach (var timer in _expiryTimers)
        {
            timer?.Dispose();
        }

        failed.FailAll(new ObjectDisposedException(Name, $"The throttle group '{Name}' was disposed while requests waited."));
    }

    internal ThrottleMemberStatistics GetStatistics(ThrottleGroupMember member)
    {
        lock (_lock)
        {
            return MemberStatisticsUnsynchronized(member);
        }
    }

    internal void Leave(ThrottleGroupMember member)
    {
        var released = default(ReleasedBatch);
        lock (_lock)
        {
            if (member.Group != this)
            {
                return;
            }

            var now = MonotonicUnsynchronized(NowNs());
            for (var d = 0; d < Directions; d++)
            {
                while (member.Queues[d].Head is { } request)
                {
                    UnqueueUnsynchronized(member, request, d);
                    RecordAdmissionUnsynchronized(member, d, request.Admission.Bytes, now - request.QueuedAtNs, throttled: true);
                    released.Add(request);
                }

                if (_timerArmed[d] && _timerOwners[d] == member)
                {
                    DisarmTimerUnsynchronized(d);
                    ScheduleNextUnsynchronized(member, (ThrottleDirection)d, now, ref released);
                }
            }

            var successor = NextMemberUnsynchronized(member);
            for (var d = 0; d < Directions; d++)
            {
                if (_turns[d] == member)
                {
                    _turns[d] = successor == member ? null : successor;
                }

                if (_timerOwners[d] == member)
                {
                    _timerOwners[d] = null;
                }
            }

            if (member.Previous is null)
            {
                _members = member.Next;
            }
            else
            {
                member.Previous.Next = member.Next;
            }

            if (member.Next is not null)
            {
                member.Next.Previous = member.Previous;
            }

            member.Next = member.Previous = null;
            member.Detach();
        }

        released.ContinueAll();
    }

    // A new algorithm cannot use grants made by the old one.
    private void ReplaceStateUnsynchronized(ThrottleState state)
    {
        Volatile.Write(ref _state, state);
        for (var member = _members; member is not null; member = member.Next)
        {
            for (var d = 0; d < Directions; d++)
            {
                for (var request = member.Queues[d].Head; request is not null; request = request.Next)
                {
                    request.Admission.StartLayer();
                }
            }
        }
    }

    // The waits were computed under the old state: drop the armed timers and release or wait again under the new.
    private void ReevaluateQueuesUnsynchronized(long now, ref ReleasedBatch released)
    {
        for (var d = 0; d < Directions; d++)
        {
            if (_timerArmed[d])
            {
                var owner = _timerOwners[d]!;
                DisarmTimerUnsynchronized(d);
                ScheduleNextUnsynchronized(owner, (ThrottleDirection)d, now, ref released);
            }
        }
    }

    private ThrottleMemberStatistics MemberStatisticsUnsynchronized(ThrottleGroupMember member) =>
        new(member.Name, member.Counters[0].Snapshot(), member.Counters[1].Snapshot());
}
