namespace ThrottleFs.Qos;

// A group whose limits hold across hosts: SharedLease switches it between leased credit (LeasedThrottleState) and
// local limits (while the shared store cannot be reached), deposits what it leases, and reads the demand it should
// lease for. Every switch and deposit re-evaluates the queues at once, as a reconfiguration does.
public sealed partial class ThrottleGroup
{
    private Action? _leaseWake; // guarded by nothing: set once, before the group is shared

    /// <summary>Whether admission spends leased credit now (false: local limits, or no lease at all).</summary>
    internal bool IsLeased => Volatile.Read(ref _state) is LeasedThrottleState;

    /// <summary>Has <paramref name="wake"/> called when a request finds the leased balance short.</summary>
    internal void OnLeaseShort(Action wake) => _leaseWake = wake;

    /// <summary>From now on admission spends credit leased under <paramref name="config"/>, starting with none.</summary>
    internal void UseLeases(ThrottleConfig config) => Switch(config.EnsureValid(), static (config, _) => new LeasedThrottleState(config));

    /// <summary>From now on admission runs on local buckets with <paramref name="config"/>, starting empty.</summary>
    internal void UseLocalLimits(ThrottleConfig config) => Switch(config.EnsureValid(), ThrottleState.Create);

    /// <summary>Adds leased credit and lets waiting requests spend it. Ignored unless leased.</summary>
    internal void Deposit(ReadOnlySpan<double> credit)
    {
        var released = default(ReleasedBatch);
        lock (_lock)
        {
            if (_disposed || _state is not LeasedThrottleState leased)
            {
                return;
            }

            leased.Deposit(credit);
            ReevaluateQueuesUnsynchronized(MonotonicUnsynchronized(NowNs()), ref released);
        }

        released.ContinueAll();
    }

    /// <summary>Takes out the positive balances to give back. All zero unless leased.</summary>
    internal void Withdraw(Span<double> taken)
    {
        taken.Clear();
        lock (_lock)
        {
            if (_state is LeasedThrottleState leased)
            {
                leased.Withdraw(taken);
            }
        }
    }

    /// <summary>Copies the credit held, per bucket; all zero unless leased.</summary>
    internal void ReadLeaseBalance(Span<double> balance)
    {
        balance.Clear();
        lock (_lock)
        {
            if (_state is LeasedThrottleState leased)
            {
                leased.Balance.CopyTo(balance);
            }
        }
    }

    /// <summary>
    /// What the lease needs to know, per bucket: the credit held, the credit spent since the last reading, and the
    /// backlog (the cost of every waiting request, or more if a refused request was short by more). Returns false,
    /// with all zero, unless leased.
    /// </summary>
    internal bool ReadLeaseDemand(Span<double> balance, Span<double> spent, Span<double> backlog)
    {
        balance.Clear();
        spent.Clear();
        backlog.Clear();
        lock (_lock)
        {
            if (_state is not LeasedThrottleState leased)
            {
                return false;
            }

            leased.Balance.CopyTo(balance);
            leased.TakeSpent(spent);
            Span<double> shortBy = stackalloc double[BucketKinds.Count];
            leased.TakeShortfall(shortBy);
            for (var d = 0; d < Directions; d++)
            {
                var kinds = BucketKinds.For((ThrottleDirection)d);
                for (var member = _members; member is not null; member = member.Next)
                {
                    for (var request = member.Queues[d].Head; request is not null; request = request.Next)
                    {
                        foreach (var kind in kinds)
                        {
                            backlog[(int)kind] += leased.Ceiling[(int)kind] > 0 ? leased.Cost(kind, request.Admission.Bytes) : 0;
                        }
                    }
                }
            }

            for (var k = 0; k < BucketKinds.Count; k++)
            {
                backlog[k] = Math.Max(backlog[k], shortBy[k]);
            }

            return true;
        }
    }

    private void Switch(ThrottleConfig config, Func<ThrottleConfig, long, ThrottleState> create)
    {
        var released = default(ReleasedBatch);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = MonotonicUnsynchronized(NowNs());
            ReplaceStateUnsynchronized(create(config, now));
            ReevaluateQueuesUnsynchronized(now, ref released);
        }

        released.ContinueAll();
    }
}
