namespace ThrottleFs.Qos;

/*
 * The buckets of a group whose limits are shared across hosts (see SharedLease). The real buckets live in a shared
 * store; this host holds a balance of credit per bucket, leased from them, and spends it locally, so no request
 * waits for a round trip unless the balance ran out.
 *
 * A request passes when, in every enabled bucket of its direction, the balance covers its cost, or covers a whole
 * ceiling (LeaseCeiling) for a request larger than the shared bucket can ever hand out at once. It is charged in full,
 * so the balance may go below zero, as QEMU lets the last request overdraw a bucket; the next lease pays the debt
 * first. So a host spends at most what it was granted plus one request. A request that cannot pass waits for the next
 * deposit, which re-evaluates the queues; the wait returned here is only a backstop.
 */

/// <summary>Buckets whose credit is leased from a shared store: admission spends a local balance.</summary>
internal sealed class LeasedThrottleState : ThrottleState
{
    /// <summary>How long a request short of credit waits before it is tried again if no deposit came meanwhile.</summary>
    public const long RecheckNs = 1_000_000_000;

    private readonly double[] _balance = new double[BucketKinds.Count];
    private readonly double[] _spent = new double[BucketKinds.Count];
    private readonly double[] _ceiling = new double[BucketKinds.Count];
    private readonly double[] _shortBy = new double[BucketKinds.Count];

    public LeasedThrottleState(ThrottleConfig config)
        : base(config) => SetCeilings(config);

    internal override bool WaitDependsOnRequest => true;

    /// <summary>Set when a request found the balance short, until the lease next reads the demand.</summary>
    public bool WentShort { get; private set; }

    private bool _wakeTaken;

    /// <summary>True the first time it is asked after the balance went short: the cue for the lease to ask at once.</summary>
    public bool TakeWake()
    {
        if (!WentShort || _wakeTaken)
        {
            return false;
        }

        _wakeTaken = true;
        return true;
    }

    /// <summary>Credit held, per bucket (<see cref="BucketKind"/> order); below zero while a debt is owed.</summary>
    public ReadOnlySpan<double> Balance => _balance;

    /// <summary>Credit spent since <see cref="TakeSpent"/> was last called, per bucket.</summary>
    public ReadOnlySpan<double> Spent => _spent;

    /// <summary>The most one lease can bring, per bucket.</summary>
    public ReadOnlySpan<double> Ceiling => _ceiling;

    /// <summary>What a request of <paramref name="bytes"/> costs in bucket <paramref name="kind"/>.</summary>
    public double Cost(BucketKind kind, long bytes) => kind.CountsBytes() ? bytes : Config.IopsUnits(bytes);

    /// <summary>Adds leased credit.</summary>
    public void Deposit(ReadOnlySpan<double> credit)
    {
        for (var k = 0; k < BucketKinds.Count; k++)
        {
            _balance[k] += credit[k];
        }
    }

    /// <summary>Takes out every positive balance, to give back; debts stay owed.</summary>
    public void Withdraw(Span<double> taken)
    {
        for (var k = 0; k < BucketKinds.Count; k++)
        {
            taken[k] = Math.Max(_balance[k], 0);
            _balance[k] -= taken[k];
        }
    }

    /// <summary>Copies the credit spent since the last call, and starts counting afresh.</summary>
    public void TakeSpent(Span<double> spent)
    {
        _spent.CopyTo(spent);
        Array.Clear(_spent);
    }

    /// <summary>
    /// Copies how far the balance fell short of the largest request that found it short since the last call (the
    /// backlog of a policed group, whose short requests are refused, not queued), and clears it and <see cref="WentShort"/>.
    /// </summary>
    public void TakeShortfall(Span<double> shortBy)
    {
        _shortBy.CopyTo(shortBy);
        Array.Clear(_shortBy);
        WentShort = false;
        _wakeTaken = false;
    }

    /// <summary>The limits change; the credit held stays (a bucket they drop is ignored, and its credit given back).</summary>
    public override void Reconfigure(ThrottleConfig config, long nowNs)
    {
        Config = config;
        SetCeilings(config);
    }

    /// <inheritdoc/>
    public override BucketStatistics[] GetBuckets(long nowNs)
    {
        var result = new BucketStatistics[BucketKinds.Count];
        foreach (var kind in BucketKinds.All)
        {
            var k = (int)kind;
            var bucket = Config[kind];
            // The level is what is owed (a request overdrew the balance); the credit is what is held.
            result[k] = new BucketStatistics(kind, bucket.Avg, bucket.Max, _ceiling[k], Math.Max(-_balance[k], 0), Math.Max(_balance[k], 0), 0);
        }

        return result;
    }

    internal override long TryAdmit(ThrottleDirection direction, ref Admission admission, long nowNs)
    {
        var kinds = BucketKinds.For(direction);
        foreach (var kind in kinds)
        {
            var k = (int)kind;
            if (_ceiling[k] > 0 && _balance[k] < Math.Min(Cost(kind, admission.Bytes), _ceiling[k]))
            {
                WentShort = true;
                RecordShortfall(kinds, admission.Bytes);
                return RecheckNs;
            }
        }

        foreach (var kind in kinds)
        {
            var k = (int)kind;
            if (_ceiling[k] > 0)
            {
                var cost = Cost(kind, admission.Bytes);
                _balance[k] -= cost;
                _spent[k] += cost;
            }
        }

        return 0;
    }

    internal override long AdmitOnTimer(ThrottleDirection direction, ref Admission admission, long nowNs) =>
        TryAdmit(direction, ref admission, nowNs);

    internal override void Refund(ThrottleDirection direction, long bytes)
    {
        foreach (var kind in BucketKinds.For(direction))
        {
            var k = (int)kind;
            if (_ceiling[k] > 0)
            {
                var cost = Cost(kind, bytes);
                _balance[k] += cost;
                _spent[k] -= cost;
            }
        }
    }

    // Nothing is charged before the whole request passes.
    internal override void Cancel(ThrottleDirection direction, ref Admission admission)
    {
    }

    private void RecordShortfall(ReadOnlySpan<BucketKind> kinds, long bytes)
    {
        foreach (var kind in kinds)
        {
            var k = (int)kind;
            if (_ceiling[k] > 0)
            {
                _shortBy[k] = Math.Max(_shortBy[k], Math.Min(Cost(kind, bytes), _ceiling[k]) - _balance[k]);
            }
        }
    }

    private void SetCeilings(ThrottleConfig config)
    {
        foreach (var kind in BucketKinds.All)
        {
            _ceiling[(int)kind] = LeaseCeiling.Of(config, kind);
        }
    }
}
