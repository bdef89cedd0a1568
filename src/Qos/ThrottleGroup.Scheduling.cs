namespace ThrottleFs.Qos;

// Admission and release: how a request enters the group, waits in its member's queue, and is released by the timer
// in round-robin turns (the algorithm is described at the top of ThrottleGroup.cs). Every helper here that ends in
// Unsynchronized runs under _lock.
public sealed partial class ThrottleGroup
{
    /// <summary>
    /// A request enters this group at <paramref name="layer"/> of its chain. It is admitted now, or queued here
    /// (rented from the pool if the caller had none; completed as cancelled if it was cancelled meanwhile), or refused
    /// when the config does not let it wait (<paramref name="refusal"/> says why; nothing here was charged for it).
    /// </summary>
    internal LayerOutcome Enter(
        ThrottleGroupMember member,
        ThrottleDirection direction,
        ref Admission admission,
        ref WaitingRequest? request,
        ThrottleGroupMember[] layers,
        int layer,
        out ThrottleRefusedException? refusal)
    {
        // A leased balance that just ran short: the lease asks for more at once rather than at its next turn (see
        // SharedLease). Called once the lock is released, and once per shortage, not per request.
        var wakeLease = false;
        try
        {
            var released = default(ReleasedBatch);
            var canceled = false;
            refusal = null;
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
                    return LayerOutcome.Admitted;
                }

                var d = (int)direction;
                var now = MonotonicUnsynchronized(admission.ClockNs);
                var config = _state.Config;
                admission.StartLayer();
                if (!_timerArmed[d] && member.Queues[d].Count == 0)
                {
                    var wait = _state.TryAdmit(direction, ref admission, now);
                    wakeLease = wait > 0 && _state is LeasedThrottleState leased && leased.TakeWake();
                    if (wait == 0)
                    {
                        RecordAdmissionUnsynchronized(member, d, admission.Bytes, waitNs: 0, throttled: false);
                        return LayerOutcome.Admitted;
                    }

                    if (config.WaitingAllowed == 0)
                    {
                        _state.Cancel(direction, ref admission); // a partial token grant goes back
                        refusal = RefuseUnsynchronized(member, d, config);
                        return LayerOutcome.Refused;
                    }

                    // The timer idles only while nothing is queued, so the round-robin turn is this member's.
                    _turns[d] = member;
                    ArmTimerUnsynchronized(d, member, now, wait);
                }
                else if (member.Queues[d].Count >= config.WaitingAllowed)
                {
                    // Nothing was tried or charged, and the round-robin turn is left as it was.
                    refusal = RefuseUnsynchronized(member, d, config);
                    return LayerOutcome.Refused;
                }

                request ??= WaitingRequest.Rent(layers, layer, direction, admission);
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
                else
                {
                    if (!_expiryArmed[d] && config.MaxWait != 0)
                    {
                        ArmExpiryUnsynchronized(d, config.MaxWait);
                    }

                    if (!_timerArmed[d])
                    {
                        ScheduleNextUnsynchronized(member, direction, now, ref released);
                    }
                }
            }

            if (canceled)
            {
                request.FinishCanceled();
            }

            released.ContinueAll();
            return LayerOutcome.Queued;
        }
        finally
        {
            if (wakeLease)
            {
                _leaseWake?.Invoke();
            }
        }
    }

    /// <summary>
    /// Takes back the charge of a request this group admitted when a later layer of its chain refused it, so that a
    /// refused request is charged to no bucket and counted by no layer as admitted.
    /// </summary>
    internal void Refund(ThrottleGroupMember member, ThrottleDirection direction, long bytes)
    {
        lock (_lock)
        {
            if (_disposed || member.Group != this)
            {
                return;
            }

            _state.Refund(direction, bytes);
            _counters[(int)direction].Unrecord(bytes);
            member.Counters[(int)direction].Unrecord(bytes);
        }
    }

    internal void Cancel(ThrottleGroupMember member, WaitingRequest request)
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
                _timers[d]!.Change(TimeSpan.FromTicks(remaining), Timeout.InfiniteTimeSpan);
                return;
            }

            _timerArmed[d] = false;
            var owner = _timerOwners[d] ?? _turns[d] ?? _members;
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

    // max-wait: refuses every request that has waited its layer's max-wait, oldest first, and arms for the next.
    private void OnExpiry(ThrottleDirection direction)
    {
        List<WaitingRequest>? expired = null;
        OverLimitError error;
        lock (_lock)
        {
            var d = (int)direction;
            if (_disposed || !_expiryArmed[d])
            {
                return;
            }

            var now = MonotonicUnsynchronized(NowNs());
            _expiryArmed[d] = false;
            var config = _state.Config;
            error = config.OverLimitError;
            if (config.MaxWait == 0)
            {
                return; // reconfigured without a cap meanwhile
            }

            for (var member = _members; member is not null; member = member.Next)
            {
                // Each member's queue is in arrival order: its head has waited longest.
                while (member.Queues[d].Head is { } head && head.QueuedAtNs + config.MaxWait <= now)
                {
                    UnqueueUnsynchronized(member, head, d);
                    _state.Cancel(direction, ref head.Admission);
                    _counters[d].RecordRefusal(ThrottleRefusal.TimedOut);
                    member.Counters[d].RecordRefusal(ThrottleRefusal.TimedOut);
                    (expired ??= []).Add(head);
                }
            }

            ArmExpiryUnsynchronized(d, config.MaxWait);
        }

        foreach (var request in expired ?? [])
        {
            request.Refuse(new ThrottleRefusedException(Name, ThrottleRefusal.TimedOut, error));
        }
    }

    // Arms the max-wait timer for the request that has waited longest, if any is queued.
    private void ArmExpiryUnsynchronized(int d, long maxWaitNs)
    {
        var oldest = long.MaxValue;
        for (var member = _members; member is not null; member = member.Next)
        {
            if (member.Queues[d].Head is { } head)
            {
                oldest = Math.Min(oldest, head.QueuedAtNs);
            }
        }

        if (oldest == long.MaxValue)
        {
            return;
        }

        var waitNs = Math.Max(oldest + maxWaitNs - _latestNs, 0);
        _expiryArmed[d] = true;
        _expiryTimers[d] ??= _time.CreateTimer(d == 0 ? OnReadExpiry : OnWriteExpiry, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _expiryTimers[d]!.Change(TimeSpan.FromTicks(Math.Max((waitNs + 99) / 100, 1)), Timeout.InfiniteTimeSpan);
    }

    private ThrottleRefusedException RefuseUnsynchronized(ThrottleGroupMember member, int d, ThrottleConfig config)
    {
        var cause = config.Action == OverLimitAction.Police ? ThrottleRefusal.Policed : ThrottleRefusal.QueueFull;
        _counters[d].RecordRefusal(cause);
        member.Counters[d].RecordRefusal(cause);
        return new ThrottleRefusedException(Name, cause, config.OverLimitError);
    }

    // QEMU's schedule_next_request, looped: while the buckets have room, keep releasing; once they do not, arm the
    // timer for the member whose turn it is.
    private void ScheduleNextUnsynchronized(ThrottleGroupMember current, ThrottleDirection direction, long now, ref ReleasedBatch released)
    {
        var d = (int)direction;
        while (_counters[d].Queued > 0 && !_timerArmed[d])
        {
            var turn = NextTurnUnsynchronized(current, d);
            if (turn.Queues[d].Count == 0)
            {
                return;
            }

            // QEMU gives preference to the member that just ran when the buckets have room. That is only sound when
            // the wait does not depend on which request is tried; token buckets try the turn holder's own request.
            var candidate = !_state.WaitDependsOnRequest && current.Queues[d].Count > 0 ? current : turn;
            var head = candidate.Queues[d].Head!;
            var wait = _state.TryAdmit(direction, ref head.Admission, now);
            if (wait > 0)
            {
                _turns[d] = turn;
                ArmTimerUnsynchronized(d, turn, now, wait);
                return;
            }

            _turns[d] = candidate;
            ReleaseUnsynchronized(candidate, head, d, now, ref released);
            current = candidate;
        }
    }

    // QEMU's next_throttle_token: the next member after the turn holder, in circle, with queued requests;
    // the requester itself when nobody is waiting.
    private ThrottleGroupMember NextTurnUnsynchronized(ThrottleGroupMember current, int d)
    {
        if (_counters[d].Queued == 0)
        {
            return current;
        }

        var start = _turns[d] ?? current;
        var next = NextMemberUnsynchronized(start);
        while (next != start && next.Queues[d].Count == 0)
        {
            next = NextMemberUnsynchronized(next);
        }

        return next == start && start.Queues[d].Count == 0 ? current : next;
    }

    private ThrottleGroupMember NextMemberUnsynchronized(ThrottleGroupMember member) => member.Next ?? _members!;

    private void ReleaseUnsynchronized(ThrottleGroupMember member, WaitingRequest request, int d, long now, ref ReleasedBatch released)
    {
        UnqueueUnsynchronized(member, request, d);
        RecordAdmissionUnsynchronized(member, d, request.Admission.Bytes, now - request.QueuedAtNs, throttled: true);
        released.Add(request);
    }

    private void UnqueueUnsynchronized(ThrottleGroupMember member, WaitingRequest request, int d)
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
        _timers[d] ??= _time.CreateTimer(d == 0 ? OnReadTimer : OnWriteTimer, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timers[d]!.Change(TimeSpan.FromTicks((waitNs + 99) / 100), Timeout.InfiniteTimeSpan);
    }

    private void DisarmTimerUnsynchronized(int d)
    {
        _timerArmed[d] = false;
        _timers[d]?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

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
