namespace ThrottleFs.Qos;

/*
 * Spending a shared store's buckets from one host without a round trip per request.
 *
 * The group's state holds leased credit (LeasedThrottleState). A timer, armed only while there is something to do,
 * reads what the group needs: the backlog of waiting requests and the rate credit was spent at (a moving average).
 * It asks for enough to cover the backlog and the next Ahead of spending at that rate, minus what is held, at most once
 * per Period (the first ask after a quiet spell goes at once: a request that found the balance short wakes the
 * timer). The store grants at most what its buckets hold, shared among the hosts asking in proportion to what they
 * ask, so two saturated hosts end up with half each and a host alone gets the whole limit. Credit left unspent for
 * ReturnAfter goes back, so an idle host holds nothing.
 *
 * One call is in flight at a time. A call that fails, or is not answered within FailAfter, puts the group on its
 * fallback: local buckets with a configured share, or the limits divided by the hosts seen in the last minute. No
 * request waits on the store meanwhile. Every RetryEvery a probe asks for nothing; once one is answered the group
 * leases again, starting with no credit.
 *
 * Locking: _gate guards the fields below; it may be held while calling into the group (the group never calls back
 * under its own lock), never while calling the store.
 */

/// <summary>
/// Keeps a <see cref="ThrottleGroup"/> spending credit leased from <see cref="ISharedBuckets"/>, so its limits hold
/// across every host that shares the store, and falls back to local limits while the store cannot be reached.
/// </summary>
public sealed class SharedLease : IDisposable
{
    /// <summary>The shortest time between two leases while demand lasts.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(25);

    /// <summary>A lease is sized to this much of the recent spending rate.</summary>
    public static readonly TimeSpan Ahead = TimeSpan.FromMilliseconds(100);

    /// <summary>Credit unspent this long goes back to the store.</summary>
    public static readonly TimeSpan ReturnAfter = TimeSpan.FromMilliseconds(250);

    /// <summary>A call unanswered this long counts as failed.</summary>
    public static readonly TimeSpan FailAfter = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the store is tried again while on the fallback.</summary>
    public static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);

    private const int Kinds = BucketKinds.Count;

    private readonly ThrottleGroup _group;
    private readonly ISharedBuckets _store;
    private readonly string _host;
    private readonly ThrottleSpec? _fallback;
    private readonly TimeProvider _time;
    private readonly Action<SharedLeaseStatus>? _switched;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();

    // Guarded by _gate.
    private readonly double[] _rate = new double[Kinds];
    private readonly double[] _balance = new double[Kinds];
    private readonly double[] _spent = new double[Kinds];
    private readonly double[] _backlog = new double[Kinds];
    private ThrottleConfig _config;
    private SharedLeaseMode _mode = SharedLeaseMode.Leasing;
    private string? _reason;
    private ThrottleConfig? _local;
    private IReadOnlyList<SharingHost> _hosts = [];
    private bool _armed;
    private long _armedForNs;
    private bool _inFlight;
    private long _callStartedNs;
    private long _callId;
    private long _lastLeaseNs = long.MinValue;
    private long _lastTickNs;
    private long _lastActiveNs;
    private long _retryAtNs;
    private long _calls;
    private long _failures;
    private bool _disposed;

    /// <summary>Puts <paramref name="group"/> on leases from <paramref name="store"/>.</summary>
    /// <param name="group">The local group; its requests spend the leased credit.</param>
    /// <param name="host">This host's name in the store.</param>
    /// <param name="store">The shared buckets.</param>
    /// <param name="fallback">Changes to the limits that make this host's share while the store is away; null: the limits divided by the hosts seen.</param>
    /// <param name="switched">Told each time the group goes on its fallback or back to leasing (from a timer thread).</param>
    public SharedLease(ThrottleGroup group, string host, ISharedBuckets store, ThrottleSpec? fallback = null, Action<SharedLeaseStatus>? switched = null)
    {
        _group = group;
        _host = host;
        _store = store;
        _fallback = fallback;
        _switched = switched;
        _time = group.Time;
        _config = group.Config;
        _lastTickNs = NowNs();
        FallbackFor(_config); // a fallback SPEC that breaks the limits is refused now, not when the store goes away
        _timer = _time.CreateTimer(static state => ((SharedLease)state!).OnTick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        group.OnLeaseShort(Wake);
        group.UseLeases(_config);
    }

    /// <summary>The group's limits across all hosts.</summary>
    public ThrottleConfig Config
    {
        get
        {
            lock (_gate)
            {
                return _config;
            }
        }
    }

    /// <summary>The lease as of now.</summary>
    public SharedLeaseStatus Status
    {
        get
        {
            var balance = new double[Kinds];
            _group.ReadLeaseBalance(balance);
            lock (_gate)
            {
                return new SharedLeaseStatus(_mode, _reason, _local, _hosts, balance, _calls, _failures);
            }
        }
    }

    /// <summary>New limits for the group on every host; here they apply at once (as the fallback share, while on it).</summary>
    /// <exception cref="ThrottleConfigException">The limits, or the fallback share of them, break a rule; nothing changed.</exception>
    public void Reconfigure(ThrottleConfig config)
    {
        config.EnsureValid();
        lock (_gate)
        {
            var local = FallbackFor(config);
            _config = config;
            if (_mode == SharedLeaseMode.Leasing)
            {
                _group.Reconfigure(config);
            }
            else
            {
                _local = local;
                _group.Reconfigure(local);
            }
        }
    }

    /// <summary>Stops leasing and gives back the credit held. The group stays as it is, for its owner to dispose.</summary>
    public void Dispose()
    {
        var taken = new double[Kinds];
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
            _group.Withdraw(taken);
        }

        if (taken.Any(amount => amount > 0))
        {
            // Best effort: credit not given back leaks out of the store's buckets anyway.
            try
            {
                _store.ReturnAsync(new LeaseRequest(_group.Name, _host, _config, taken)).Wait(FailAfter);
            }
            catch (Exception)
            {
                // Whatever the store throws at disposal changes nothing: the credit leaks back by itself.
            }
        }
    }

    // A request found the balance short: ask now, unless a call or a tick is already due sooner.
    private void Wake()
    {
        lock (_gate)
        {
            if (!_disposed && !_inFlight && _mode == SharedLeaseMode.Leasing)
            {
                ArmUnsynchronized(Math.Max(_lastLeaseNs == long.MinValue ? 0 : _lastLeaseNs + Ticks(Period) - NowNs(), 0));
            }
        }
    }

    private void OnTick()
    {
        LeaseRequest? lease = null;
        LeaseRequest? giveBack = null;
        SharedLeaseStatus? switched = null;
        lock (_gate)
        {
            _armed = false;
            if (_disposed)
            {
                return;
            }

            var now = NowNs();
            if (_inFlight)
            {
                if (now - _callStartedNs >= Ticks(FailAfter))
                {
                    _inFlight = false; // its answer, if it ever comes, is dropped
                    switched = FailUnsynchronized(now, $"no answer from the shared store within {FailAfter.TotalMilliseconds:0} ms");
                }

                ArmUnsynchronized(_inFlight ? _callStartedNs + Ticks(FailAfter) - now : Ticks(RetryEvery));
            }
            else if (_mode == SharedLeaseMode.Fallback)
            {
                if (now < _retryAtNs)
                {
                    ArmUnsynchronized(_retryAtNs - now);
                    return;
                }

                lease = StartCallUnsynchronized(now, new double[Kinds]);
            }
            else
            {
                lease = PlanUnsynchronized(now, out giveBack);
            }
        }

        if (switched is not null)
        {
            _switched?.Invoke(switched);
        }

        if (lease is not null)
        {
            _ = LeaseAsync(lease);
        }
        else if (giveBack is not null)
        {
            _ = ReturnAsync(giveBack);
        }
    }

    // Leasing: reads the group's demand and decides whether to ask, give back, or wait.
    private LeaseRequest? PlanUnsynchronized(long now, out LeaseRequest? giveBack)
    {
        giveBack = null;
        _group.ReadLeaseDemand(_balance, _spent, _backlog);
        var elapsed = Math.Max(now - _lastTickNs, 1);
        _lastTickNs = now;
        var want = new double[Kinds];
        var active = false;
        var asking = false;
        for (var k = 0; k < Kinds; k++)
        {
            var ceiling = LeaseCeiling.Of(_config, (BucketKind)k);
            if (ceiling <= 0)
            {
                continue;
            }

            // A moving average over about two ticks: fast enough to follow a workload that starts, slow enough not to
            // drop a lease because one tick saw a pause.
            _rate[k] = (_rate[k] + (_spent[k] * 1e9 / elapsed)) / 2;
            active |= _spent[k] > 0 || _backlog[k] > 0;

            // A host whose requests wait asks for a whole bucket: hosts that all wait then ask alike and share
            // evenly, whatever each got before. One that keeps up asks for its rate, and only once it is worth a call.
            var hungry = _backlog[k] > 0;
            var need = (hungry ? Math.Max(_backlog[k], ceiling) : _rate[k] * Ahead.TotalSeconds) - _balance[k];
            want[k] = Math.Clamp(need, 0, ceiling + Math.Max(-_balance[k], 0));
            asking |= hungry ? want[k] > 0 : want[k] > ceiling / 2;
        }

        if (active)
        {
            _lastActiveNs = now;
        }

        if (asking)
        {
            var due = _lastLeaseNs == long.MinValue ? now : _lastLeaseNs + Ticks(Period);
            if (now >= due)
            {
                return StartCallUnsynchronized(now, want);
            }

            ArmUnsynchronized(due - now);
            return null;
        }

        if (!active && now - _lastActiveNs >= Ticks(ReturnAfter))
        {
            if (_balance.Any(amount => amount > 0))
            {
                var taken = new double[Kinds];
                _group.Withdraw(taken);
                _calls++;
                giveBack = new LeaseRequest(_group.Name, _host, _config, taken);
            }

            Array.Clear(_rate);
            return null; // quiet: no timer until a request wakes it
        }

        ArmUnsynchronized(active ? Ticks(Period) : _lastActiveNs + Ticks(ReturnAfter) - now);
        return null;
    }

    private LeaseRequest StartCallUnsynchronized(long now, double[] want)
    {
        _inFlight = true;
        _callId++;
        _callStartedNs = now;
        _lastLeaseNs = now;
        _calls++;
        ArmUnsynchronized(Ticks(FailAfter));
        return new LeaseRequest(_group.Name, _host, _config, want);
    }

    private async Task LeaseAsync(LeaseRequest request)
    {
        long call;
        lock (_gate)
        {
            call = _callId;
        }

        LeaseGrant grant;
        try
        {
            grant = await _store.LeaseAsync(request).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            SharedLeaseStatus? failed = null;
            lock (_gate)
            {
                if (_inFlight && _callId == call && !_disposed)
                {
                    _inFlight = false;
                    failed = FailUnsynchronized(NowNs(), $"the shared store failed: {e.Message}");
                }
            }

            if (failed is not null)
            {
                _switched?.Invoke(failed);
            }

            return;
        }

        SharedLeaseStatus? rejoined = null;
        lock (_gate)
        {
            if (!_inFlight || _callId != call || _disposed)
            {
                return; // given up on meanwhile: the credit is lost to this host, and leaks back into the store
            }

            _inFlight = false;
            _hosts = grant.Hosts;
            var now = NowNs();
            if (_mode == SharedLeaseMode.Fallback)
            {
                _mode = SharedLeaseMode.Leasing;
                _reason = null;
                _local = null;
                _group.UseLeases(_config);
                _lastTickNs = now;
                rejoined = StatusUnsynchronized();
            }

            _group.Deposit(grant.Granted);
            ArmUnsynchronized(Ticks(Period));
        }

        if (rejoined is not null)
        {
            _switched?.Invoke(rejoined);
        }
    }

    private async Task ReturnAsync(LeaseRequest request)
    {
        try
        {
            await _store.ReturnAsync(request).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The credit is lost to this host; the store's buckets refill by themselves.
            SharedLeaseStatus? failed = null;
            lock (_gate)
            {
                if (!_disposed)
                {
                    failed = FailUnsynchronized(NowNs(), $"the shared store failed: {e.Message}");
                }
            }

            if (failed is not null)
            {
                _switched?.Invoke(failed);
            }
        }
    }

    // Returns the status to tell once the lock is released, when this failure put the group on its fallback.
    private SharedLeaseStatus? FailUnsynchronized(long now, string reason)
    {
        _failures++;
        _retryAtNs = now + Ticks(RetryEvery);
        if (_mode == SharedLeaseMode.Fallback)
        {
            return null;
        }

        _mode = SharedLeaseMode.Fallback;
        _reason = reason;
        _local = FallbackFor(_config);
        _group.UseLocalLimits(_local);
        ArmUnsynchronized(Ticks(RetryEvery));
        return StatusUnsynchronized();
    }

    // This host's share while the store is away: the fallback SPEC applied to the limits, or the limits divided by the
    // hosts seen in the last minute (at least this one), rounded up.
    private ThrottleConfig FallbackFor(ThrottleConfig config)
    {
        if (_fallback is not null)
        {
            return _fallback.ApplyTo(config).EnsureValid();
        }

        var hosts = Math.Max(_hosts.Count, 1);
        var local = config;
        foreach (var kind in BucketKinds.All)
        {
            var bucket = config[kind];
            if (bucket.IsEnabled)
            {
                local = local.With(kind, bucket with { Avg = DivideUp(bucket.Avg, hosts), Max = DivideUp(bucket.Max, hosts) });
            }
        }

        return local.EnsureValid();
    }

    private static long DivideUp(long value, int by) => (value + by - 1) / by;

    private SharedLeaseStatus StatusUnsynchronized() =>
        new(_mode, _reason, _local, _hosts, (double[])_balance.Clone(), _calls, _failures);

    private void ArmUnsynchronized(long waitNs)
    {
        var due = NowNs() + Math.Max(waitNs, 0);
        if (_armed && _armedForNs <= due)
        {
            return;
        }

        _armed = true;
        _armedForNs = due;
        _timer.Change(TimeSpan.FromTicks(Math.Max((waitNs + 99) / 100, 0)), Timeout.InfiniteTimeSpan);
    }

    private long NowNs() => (long)((Int128)_time.GetTimestamp() * 1_000_000_000 / _time.TimestampFrequency);

    private static long Ticks(TimeSpan span) => span.Ticks * 100;
}
