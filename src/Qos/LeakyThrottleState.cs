namespace ThrottleFs.Qos;

/// <summary>
/// QEMU's throttle state: six <see cref="LeakyBucket"/>s, <c>iops-size</c> and the time of the last leak.
/// A read is checked against bps-total, iops-total, bps-read and iops-read, a write against the total and write
/// buckets; the wait is the longest of the four. Leaking is lazy, done whenever a wait is computed.
/// </summary>
internal sealed class LeakyThrottleState : ThrottleState
{
    // Only enabled buckets are kept, leaked, checked and charged: a disabled bucket never waits, so its level is never
    // read (QEMU charges it anyway; the result is the same, the common one- or two-limit config does a fraction of the
    // work, and every file with limits of its own carries two buckets instead of six).
    private BucketKind[] _kinds = [];
    private LeakyBucket[] _buckets = [];
    private PerDirection<int[]> _checked; // per direction, the slots of _buckets a request is checked against
    private long _previousLeakNs;

    /// <summary>Creates the state with every level empty, as QEMU's <c>throttle_config()</c>.</summary>
    public LeakyThrottleState(ThrottleConfig config, long nowNs)
        : base(config)
    {
        Rebuild(config, previous: null);
        _previousLeakNs = nowNs;
    }

    internal override bool WaitDependsOnRequest => false;

    /// <summary>A copy of one bucket as it is now (not leaked to any time); a disabled bucket has <c>Avg</c> 0.</summary>
    public LeakyBucket this[BucketKind kind] => Array.IndexOf(_kinds, kind) is >= 0 and var slot ? _buckets[slot] : default;

    /// <summary>Leaks every bucket up to <paramref name="nowNs"/>. A clock that went backwards leaks nothing.</summary>
    public void Leak(long nowNs)
    {
        var elapsed = nowNs - _previousLeakNs;
        _previousLeakNs = nowNs;
        if (elapsed <= 0)
        {
            return;
        }

        for (var slot = 0; slot < _buckets.Length; slot++)
        {
            _buckets[slot].Leak(elapsed);
        }
    }

    /// <summary>Leaks to <paramref name="nowNs"/>, then returns how long a request in this direction must wait (0: none).</summary>
    public long ComputeWait(ThrottleDirection direction, long nowNs)
    {
        Leak(nowNs);
        long wait = 0;
        foreach (var slot in _checked[(int)direction])
        {
            wait = Math.Max(wait, _buckets[slot].ComputeWait());
        }

        return wait;
    }

    /// <summary>
    /// Charges an admitted request: its bytes to the bps buckets, its operations (see
    /// <see cref="ThrottleConfig.IopsUnits"/>) to the iops buckets of its direction, where enabled.
    /// </summary>
    public void Account(ThrottleDirection direction, long bytes)
    {
        var units = Config.IopsUnits(bytes);
        foreach (var slot in _checked[(int)direction])
        {
            _buckets[slot].Charge(_kinds[slot].CountsBytes() ? bytes : units);
        }
    }

    /// <inheritdoc/>
    public override void Reconfigure(ThrottleConfig config, long nowNs)
    {
        if (config.OnChange == LevelsOnChange.Reset)
        {
            Config = config;
            Rebuild(config, previous: null);
            _previousLeakNs = nowNs;
            return;
        }

        // Settle what leaked under the old rates before the new ones apply.
        Leak(nowNs);
        Config = config;
        Rebuild(config, previous: this);
    }

    /// <inheritdoc/>
    public override BucketStatistics[] GetBuckets(long nowNs)
    {
        var result = new BucketStatistics[BucketKinds.Count];
        var elapsed = Math.Max(nowNs - _previousLeakNs, 0);
        foreach (var kind in BucketKinds.All)
        {
            var bucket = this[kind];
            bucket.Leak(elapsed);
            var credit = Math.Max(bucket.Capacity - bucket.Level, 0);
            var burstSeconds = bucket.Max > bucket.Avg ? credit / (bucket.Max - bucket.Avg) : 0;
            result[(int)kind] = new BucketStatistics(
                kind, bucket.Avg, bucket.Max, bucket.Capacity, bucket.Level, credit, bucket.Avg == 0 ? 0 : burstSeconds);
        }

        return result;
    }

    internal override long TryAdmit(ThrottleDirection direction, ref Admission admission, long nowNs)
    {
        var wait = ComputeWait(direction, nowNs);
        if (wait == 0)
        {
            Account(direction, admission.Bytes);
        }

        return wait;
    }

    // The timer was computed to fire when the buckets reach capacity, so QEMU charges without checking again.
    internal override long AdmitOnTimer(ThrottleDirection direction, ref Admission admission, long nowNs)
    {
        Account(direction, admission.Bytes);
        return 0;
    }

    // Nothing was charged while the request waited.
    internal override void Cancel(ThrottleDirection direction, ref Admission admission)
    {
    }

    /// <inheritdoc/>
    internal override void Refund(ThrottleDirection direction, long bytes)
    {
        var units = Config.IopsUnits(bytes);
        foreach (var slot in _checked[(int)direction])
        {
            _buckets[slot].Refund(_kinds[slot].CountsBytes() ? bytes : units);
        }
    }

    // The enabled buckets of a config, empty, or carrying the levels of the same kinds in previous (keep on change).
    private void Rebuild(ThrottleConfig config, LeakyThrottleState? previous)
    {
        var kinds = BucketKinds.All.ToArray().Where(kind => config[kind].Avg != 0).ToArray();
        var buckets = new LeakyBucket[kinds.Length];
        for (var slot = 0; slot < kinds.Length; slot++)
        {
            ref var bucket = ref buckets[slot];
            bucket = new LeakyBucket(config[kinds[slot]]);
            var old = previous?[kinds[slot]] ?? default;
            if (old.Avg == 0)
            {
                continue; // newly enabled: it starts empty
            }

            bucket.Level = Carry(old.Level, old.Capacity, bucket.Capacity);
            if (old.HasBurstBucket && bucket.HasBurstBucket)
            {
                bucket.BurstLevel = Carry(old.BurstLevel, old.BurstCapacity, bucket.BurstCapacity);
            }
        }

        (_kinds, _buckets) = (kinds, buckets);
        foreach (var direction in (ReadOnlySpan<ThrottleDirection>)[ThrottleDirection.Read, ThrottleDirection.Write])
        {
            _checked[(int)direction] = [.. Enumerable.Range(0, kinds.Length).Where(slot => BucketKinds.For(direction).Contains(kinds[slot]))];
        }
    }

    // Credit used stays used (clamped to the new capacity); an overdraft beyond the old capacity is still owed.
    private static double Carry(double level, double oldCapacity, double newCapacity) => level <= oldCapacity
        ? Math.Min(level, newCapacity)
        : Math.Min(oldCapacity, newCapacity) + (level - oldCapacity);
}
