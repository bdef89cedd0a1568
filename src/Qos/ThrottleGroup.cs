namespace ThrottleFs.Qos;

/*
 * A throttle group, after QEMU's block/throttle-groups.c.
 *
 * One ThrottleState (the buckets) is shared by every member; a group of one member is simply a file's own
 * limits. Per member and per direction there is a FIFO queue; per direction the group has at most one armed timer
 * and a round-robin "token" naming the member whose turn it is. (Tokens here are turn markers, not bucket tokens.)
 *
 * A new request from member m in direction d:
 *   - queues if the timer for d is armed or m already has requests queued in d (order is never overtaken);
 *   - otherwise asks the state: if it may pass it is charged and admitted at once; if not, the timer is armed for
 *     the wait and the request queues.
 * When the timer fires it releases the head request of the member it was armed for. QEMU charges that request
 * without checking again, since the wait was computed to end exactly when the buckets have room. Then "schedule
 * next" walks the members in a circle from the token holder to the next one with queued requests: if the buckets
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
public sealed class ThrottleGroup : IDisposable
{
    private const int Directions = 2;
    private static readonly TimerCallback OnReadTimer = static state => ((ThrottleGroup)state!).OnTimer(ThrottleDirection.Read);
    private static readonly TimerCallback OnWriteTimer = static state => ((ThrottleGroup)state!).OnTimer(ThrottleDirection.Write);

    private readonly TimeProvider _time;
    private readonly long _nanosecondsPerTimestamp;
    private readonly long _timestampFrequency;
    private readonly ITimer[] _timers;
    private readonly Lock _lock = new();

    // Guarded by _lock.
    private ThrottleState _state;
    private ThrottleGroupMember? _members;
    private readonly ThrottleGroupMember?[] _tokens = new ThrottleGroupMember?[Directions];
    private readonly ThrottleGroupMember?[] _timerOwners = new ThrottleGroupMember?[Directions];
    private readonly bool[] _timerArmed = new bool[Directions];
    private readonly long[] _timerDueNs = new long[Directions];
    private readonly DirectionCounters[] _counters = [new(), new()];
    private long _latestNs;
    private bool _disposed;

    /// <summary>Creates a group with the given limits.</summary>
    /// <param name="name">Shown in statistics and errors.</param>
    /// <param name="config">The limits; must be valid.</param>
    /// <param name="timeProvider">The clock and timers; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ThrottleConfigException">The config breaks a rule.</exception>
    public ThrottleGroup(string name, ThrottleConfig config, TimeProvider? timeProvider = null)
    {
        Name = name;
        _time = timeProvider ?? TimeProvider.System;
        _timestampFrequency = _time.TimestampFrequency;
        _nanosecondsPerTimestamp = 1_000_000_000 % _timestampFrequency == 0 ? 1_000_000_000 / _timestampFrequency : 0;
        _latestNs = NowNs();
        _state = ThrottleState.Create(config.EnsureValid(), _latestNs);
        _timers =
        [
            _time.CreateTimer(OnReadTimer, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan),
            _time.CreateTimer(OnWriteTimer, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan),
        ];
    }

    /// <summary>The group's name.</summary>
    public string Name { get; }

    /// <summary>The limits in force.</summary>
    public ThrottleConfig Config => Volatile.Read(ref _state).Config;

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
                _tokens[d] ??= member;
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
            if (config.Algorithm == _state.Config.Algorithm)
            {
                _state.Reconfigure(config, now);
            }
            else
            {
                Volatile.Write(ref _state, ThrottleState.Create(config, now));
                ForgetProgressUnsynchronized();
            }

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

            Array.Clear(_timerArmed);
        }

        foreach (var timer in _timers)
        {
            timer.Dispose();
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

    /// <summary>
    /// A request enters this group at <paramref name="layer"/> of its chain. Returns true when admitted now.
    /// Otherwise the request is queued here (rented from the pool if the caller had none) or, if it was cancelled
    /// meanwhile, completed as cancelled.
    /// </summary>
    internal bool Enter(
        ThrottleGroupMember member,
        ThrottleDirection direction,
        ref Admission admission,
        ref ThrottleRequest? request,
        ThrottleGroupMember[] layers,
        int layer)
    {
        var released = default(ReleasedBatch);
        var canceled = false;
        if (admission.Clock != _time)
        {
            admission.Clock = _time;
            admission.ClockNs = NowNs();
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (member.Group != this)
            {
                return true;
            }

            var d = (int)direction;
            var now = MonotonicUnsynchronized(admission.ClockNs);
            admission.StartLayer();
            if (!_timerArmed[d] && member.Queues[d].Count == 0)
            {
                var wait = _state.TryAdmit(direction, ref admission, now);
                if (wait == 0)
                {
                    RecordAdmissionUnsynchronized(member, d, admission.Bytes, waitNs: 0, throttled: false);
                    return true;
                }

                // The timer idles only while nothing is queued, so the round-robin turn is this member's.
                _tokens[d] = member;
                ArmTimerUnsynchronized(d, member, now, wait);
            }

            request ??= ThrottleRequest.Rent(layers, layer, direction, admission);
            request.QueuedAtNs = now;
            member.Queues[d].Enqueue(request);
            member.Counters[d].Queued++;
            _counters[d].Queued++;
            Interlocked.Exchange(ref request.QueuedIn, member);
            if (request.IsCancelRequested)
            {
                UnqueueUnsynchronized(member, request, d);
                _state.Cancel(direction, ref request.Admission);
                canceled = true;
            }
            else if (!_timerArmed[d])
            {
                ScheduleNextUnsynchronized(member, direction, now, ref released);
            }
        }

        if (canceled)
        {
            request.FinishCanceled();
        }

        released.ContinueAll();
        return false;
    }

    internal void Cancel(ThrottleGroupMember member, ThrottleRequest request)
    {
        lock (_lock)
        {
            if (request.QueuedIn != member || member.Group != this)
            {
                return; // already released, or queued elsewhere by now
            }

            UnqueueUnsynchronized(member, request, (int)request.Direction);
            _state.Cancel(request.Direction, ref request.Admission);

            // The timer stays armed: for leaky buckets the wait never depended on the request, and for token buckets
            // the next holder simply tries again when it fires.
        }

        request.FinishCanceled();
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
                if (_tokens[d] == member)
                {
                    _tokens[d] = successor == member ? null : successor;
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

    private void OnTimer(ThrottleDirection direction)
    {
        var released = default(ReleasedBatch);
        lock (_lock)
        {
            var d = (int)direction;
            if (_disposed || !_timerArmed[d])
            {
                return; // disarmed after this callback was already on its way
            }

            var now = MonotonicUnsynchronized(NowNs());
            if (now < _timerDueNs[d])
            {
                // The system timer counts whole milliseconds and may fire early: wait out the rest.
                var remaining = Math.Max((_timerDueNs[d] - now + 99) / 100, TimeSpan.TicksPerMillisecond);
                _timers[d].Change(TimeSpan.FromTicks(remaining), Timeout.InfiniteTimeSpan);
                return;
            }

            _timerArmed[d] = false;
            var owner = _timerOwners[d] ?? _tokens[d] ?? _members;
            if (owner is null)
            {
                return;
            }

            if (owner.Queues[d].Head is { } head)
            {
                var wait = _state.AdmitOnTimer(direction, ref head.Admission, now);
                if (wait > 0)
                {
                    ArmTimerUnsynchronized(d, owner, now, wait);
                    return;
                }

                ReleaseUnsynchronized(owner, head, d, now, ref released);
            }

            ScheduleNextUnsynchronized(owner, direction, now, ref released);
        }

        released.ContinueAll();
    }

    // QEMU's schedule_next_request, looped: while the buckets have room, keep releasing; once they do not, arm the
    // timer for the member whose turn it is.
    private void ScheduleNextUnsynchronized(ThrottleGroupMember current, ThrottleDirection direction, long now, ref ReleasedBatch released)
    {
        var d = (int)direction;
        while (_counters[d].Queued > 0 && !_timerArmed[d])
        {
            var token = NextTokenUnsynchronized(current, d);
            if (token.Queues[d].Count == 0)
            {
                return;
            }

            // QEMU gives preference to the member that just ran when the buckets have room. That is only sound when
            // the wait does not depend on which request is tried; token buckets try the turn holder's own request.
            var candidate = !_state.WaitDependsOnRequest && current.Queues[d].Count > 0 ? current : token;
            var head = candidate.Queues[d].Head!;
            var wait = _state.TryAdmit(direction, ref head.Admission, now);
            if (wait > 0)
            {
                _tokens[d] = token;
                ArmTimerUnsynchronized(d, token, now, wait);
                return;
            }

            _tokens[d] = candidate;
            ReleaseUnsynchronized(candidate, head, d, now, ref released);
            current = candidate;
        }
    }

    // QEMU's next_throttle_token: the next member after the token holder, in circle, with queued requests;
    // the requester itself when nobody is waiting.
    private ThrottleGroupMember NextTokenUnsynchronized(ThrottleGroupMember current, int d)
    {
        if (_counters[d].Queued == 0)
        {
            return current;
        }

        var start = _tokens[d] ?? current;
        var token = NextMemberUnsynchronized(start);
        while (token != start && token.Queues[d].Count == 0)
        {
            token = NextMemberUnsynchronized(token);
        }

        return token == start && start.Queues[d].Count == 0 ? current : token;
    }

    private ThrottleGroupMember NextMemberUnsynchronized(ThrottleGroupMember member) => member.Next ?? _members!;

    private void ReleaseUnsynchronized(ThrottleGroupMember member, ThrottleRequest request, int d, long now, ref ReleasedBatch released)
    {
        UnqueueUnsynchronized(member, request, d);
        RecordAdmissionUnsynchronized(member, d, request.Admission.Bytes, now - request.QueuedAtNs, throttled: true);
        released.Add(request);
    }

    private void UnqueueUnsynchronized(ThrottleGroupMember member, ThrottleRequest request, int d)
    {
        member.Queues[d].Remove(request);
        member.Counters[d].Queued--;
        _counters[d].Queued--;
        Volatile.Write(ref request.QueuedIn, null);
    }

    private void RecordAdmissionUnsynchronized(ThrottleGroupMember member, int d, long bytes, long waitNs, bool throttled)
    {
        _counters[d].RecordAdmission(bytes, waitNs, throttled);
        member.Counters[d].RecordAdmission(bytes, waitNs, throttled);
    }

    private void ArmTimerUnsynchronized(int d, ThrottleGroupMember owner, long now, long waitNs)
    {
        _timerArmed[d] = true;
        _timerOwners[d] = owner;
        _timerDueNs[d] = now + waitNs;

        // Rounded up to the timer's 100 ns resolution, so it never fires before the buckets have room.
        _timers[d].Change(TimeSpan.FromTicks((waitNs + 99) / 100), Timeout.InfiniteTimeSpan);
    }

    private void DisarmTimerUnsynchronized(int d)
    {
        _timerArmed[d] = false;
        _timers[d].Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    // A new algorithm cannot use grants made by the old one.
    private void ForgetProgressUnsynchronized()
    {
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

    private ThrottleMemberStatistics MemberStatisticsUnsynchronized(ThrottleGroupMember member) =>
        new(member.Name, member.Counters[0].Snapshot(), member.Counters[1].Snapshot());

    // The clock may be read before the lock is taken, so another thread can get in first with a later reading.
    // Everything under the lock sees time move forward only; a late reading counts as "no time has passed".
    private long MonotonicUnsynchronized(long nowNs)
    {
        if (nowNs > _latestNs)
        {
            _latestNs = nowNs;
        }

        return _latestNs;
    }

    private long NowNs()
    {
        var timestamp = _time.GetTimestamp();
        return _nanosecondsPerTimestamp != 0
            ? timestamp * _nanosecondsPerTimestamp
            : (long)((Int128)timestamp * 1_000_000_000 / _timestampFrequency);
    }
}
