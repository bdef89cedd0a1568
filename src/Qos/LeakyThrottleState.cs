namespace ThrottleFs.Qos;

/// <summary>
/// QEMU's throttle state: six <see cref="LeakyBucket"/>s, <c>iops-size</c> and the time of the last leak.
/// A read is checked against bps-total, iops-total, bps-read and iops-read, a write against the total and write
/// buckets; the wait is the longest of the four. Leaking is lazy, done whenever a wait is computed.
/// </summary>
internal sealed class LeakyThrottleState : ThrottleState
{
    private readonly LeakyBucket[] _buckets = new LeakyBucket[BucketKinds.Count];
    private long _previousLeakNs;

    // Only enabled buckets are leaked, checked and charged: a disabled bucket never waits, so its level is never
    // read (QEMU charges it anyway; the result is the same and the common one-limit config does a sixth the work).
    private int[] _enabled = [];
    private int[][] _checked = [[], []];

    /// <summary>Creates the state with every level empty, as QEMU's <c>throttle_config()</c>.</summary>
    public LeakyThrottleState(ThrottleConfig config, long nowNs)
        : base(config)
    {
        foreach (var kind in BucketKinds.All)
        {
            _buckets[(int)kind] = new LeakyBucket(config[kind]);
        }

        _previousLeakNs = nowNs;
        IndexEnabledBuckets();
    }

    internal override bool WaitDependsOnRequest => false;

    /// <summary>A copy of one bucket as it is now (not leaked to any time).</summary>
    public LeakyBucket this[BucketKind kind] => _buckets[(int)kind];

    /// <summary>Leaks every bucket up to <paramref name="nowNs"/>. A clock that went backwards leaks nothing.</summary>
    public void Leak(long nowNs)
    {
        var elapsed = nowNs - _previousLeakNs;
        _previousLeakNs = nowNs;
        if (elapsed <= 0)
        {
            return;
        }

        foreach (var index in _enabled)
        {
            _buckets[index].Leak(elapsed);
        }
    }

    /// <summary>Leaks to <paramref name="nowNs"/>, then returns how long a request in this direction must wait (0: none).</summary>
    public long ComputeWait(ThrottleDirection direction, long nowNs)
    {
        Leak(nowNs);
        long wait = 0;
        foreach (var index in _checked[(int)direction])
        {
            wait = Math.Max(wait, _buckets[index].ComputeWait());
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
        foreach (var index in _checked[(int)direction])
        {
            _buckets[index].Charge(((BucketKind)index).CountsBytes() ? bytes : units);
        }
    }

    /// <inheritdoc/>
    public override void Reconfigure(ThrottleConfig config, long nowNs)
    {
        if (config.OnChange == LevelsOnChange.Reset)
        {
            Config = config;
            foreach (var kind in BucketKinds.All)
            {
                _buckets[(int)kind] = new LeakyBucket(config[kind]);
            }

            _previousLeakNs = nowNs;
            IndexEnabledBuckets();
            return;
        }

        // Settle what leaked under the old rates before the new ones apply.
        Leak(nowNs);
        Config = config;
        foreach (var kind in BucketKinds.All)
        {
            ref var bucket = ref _buckets[(int)kind];
            var old = bucket;
            bucket = new LeakyBucket(config[kind]);
            if (old.Avg == 0 || bucket.Avg == 0)
            {
                continue; // a disabled bucket's level means nothing: the enabled one starts empty
            }

            bucket.Level = Carry(old.Level, old.Capacity, bucket.Capacity);
            if (old.HasBurstBucket && bucket.HasBurstBucket)
            {
                bucket.BurstLevel = Carry(old.BurstLevel, old.BurstCapacity, bucket.BurstCapacity);
            }
        }

        IndexEnabledBuckets();
    }

    /// <inheritdoc/>
    public override BucketStatistics[] GetBuckets(long nowNs)
    {
        var result = new BucketStatistics[BucketKinds.Count];
        var elapsed = Math.Max(nowNs - _previousLeakNs, 0);
        foreach (var kind in BucketKinds.All)
        {
            var bucket = _buckets[(int)kind];
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

    private void IndexEnabledBuckets()
    {
        _enabled = [.. BucketKinds.All.ToArray().Where(kind => _buckets[(int)kind].Avg != 0).Select(kind => (int)kind)];
        _checked =
        [
            [.. BucketKinds.For(ThrottleDirection.Read).ToArray().Where(kind => _buckets[(int)kind].Avg != 0).Select(kind => (int)kind)],
            [.. BucketKinds.For(ThrottleDirection.Write).ToArray().Where(kind => _buckets[(int)kind].Avg != 0).Select(kind => (int)kind)],
        ];
    }

    // Credit used stays used (clamped to the new capacity); an overdraft beyond the old capacity is still owed.
    private static double Carry(double level, double oldCapacity, double newCapacity) => level <= oldCapacity
        ? Math.Min(level, newCapacity)
        : Math.Min(oldCapacity, newCapacity) + (level - oldCapacity);
}
