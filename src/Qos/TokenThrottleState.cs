namespace ThrottleFs.Qos;

/// <summary>
/// librbd's image QoS: six <see cref="TokenBucket"/>s, each with its own tick. A request asks every enabled bucket
/// of its direction for its cost at once (bytes from bps buckets, operations from iops buckets) and passes when
/// all have granted; tokens granted by one bucket are kept while another still blocks.
/// </summary>
internal sealed class TokenThrottleState : ThrottleState
{
    private readonly TokenBucket[] _buckets = new TokenBucket[BucketKinds.Count];

    /// <summary>Creates the state as librbd's <c>set_limit</c> does: full buckets, one tick available.</summary>
    public TokenThrottleState(ThrottleConfig config, long nowNs)
        : base(config)
    {
        foreach (var kind in BucketKinds.All)
        {
            _buckets[(int)kind] = new TokenBucket(config[kind], nowNs);
        }
    }

    internal override bool WaitDependsOnRequest => true;

    /// <summary>A copy of one bucket as it is now (not refilled to any time).</summary>
    public TokenBucket this[BucketKind kind] => _buckets[(int)kind];

    /// <inheritdoc/>
    public override void Reconfigure(ThrottleConfig config, long nowNs)
    {
        Config = config;
        foreach (var kind in BucketKinds.All)
        {
            ref var bucket = ref _buckets[(int)kind];
            bucket.RefillTo(nowNs);
            bucket.Configure(config[kind], nowNs, keepLevels: config.OnChange == LevelsOnChange.Keep);
        }
    }

    /// <inheritdoc/>
    public override BucketStatistics[] GetBuckets(long nowNs)
    {
        var result = new BucketStatistics[BucketKinds.Count];
        foreach (var kind in BucketKinds.All)
        {
            var bucket = _buckets[(int)kind];
            bucket.RefillTo(nowNs);
            var burstSeconds = bucket.Max > bucket.Avg ? bucket.Remain / (bucket.Max - bucket.Avg) : 0;
            result[(int)kind] = new BucketStatistics(
                kind, bucket.Avg, bucket.IsEnabled ? bucket.Max : 0, bucket.Capacity,
                bucket.Capacity - bucket.Remain, bucket.Remain, burstSeconds);
        }

        return result;
    }

    internal override long TryAdmit(ThrottleDirection direction, ref Admission admission, long nowNs)
    {
        var kinds = BucketKinds.For(direction);
        if (!admission.Started)
        {
            var units = Config.IopsUnits(admission.Bytes);
            for (var slot = 0; slot < kinds.Length; slot++)
            {
                admission.Needed[slot] = _buckets[(int)kinds[slot]].IsEnabled
                    ? (kinds[slot].CountsBytes() ? admission.Bytes : units)
                    : 0;
                admission.Granted[slot] = 0;
            }

            admission.Started = true;
        }

        var nextTick = long.MaxValue;
        for (var slot = 0; slot < kinds.Length; slot++)
        {
            if (admission.Needed[slot] <= 0)
            {
                continue;
            }

            ref var bucket = ref _buckets[(int)kinds[slot]];
            if (!bucket.IsEnabled)
            {
                admission.Needed[slot] = 0; // limit removed while the request waited
                continue;
            }

            bucket.RefillTo(nowNs);
            var taken = bucket.Take(admission.Needed[slot]);
            admission.Needed[slot] -= taken;
            admission.Granted[slot] += taken;
            if (admission.Needed[slot] > 0)
            {
                nextTick = Math.Min(nextTick, bucket.NextTickNs);
            }
        }

        return nextTick == long.MaxValue ? 0 : Math.Max(nextTick - nowNs, 1);
    }

    // Token grants depend on the request, so a timer only means "new tokens arrived": try again.
    internal override long AdmitOnTimer(ThrottleDirection direction, ref Admission admission, long nowNs) =>
        TryAdmit(direction, ref admission, nowNs);

    internal override void Refund(ThrottleDirection direction, long bytes)
    {
        var units = Config.IopsUnits(bytes);
        foreach (var kind in BucketKinds.For(direction))
        {
            if (_buckets[(int)kind].IsEnabled)
            {
                _buckets[(int)kind].Return(kind.CountsBytes() ? bytes : units);
            }
        }
    }

    internal override void Cancel(ThrottleDirection direction, ref Admission admission)
    {
        if (!admission.Started)
        {
            return;
        }

        var kinds = BucketKinds.For(direction);
        for (var slot = 0; slot < kinds.Length; slot++)
        {
            if (admission.Granted[slot] > 0)
            {
                _buckets[(int)kinds[slot]].Return(admission.Granted[slot]);
            }
        }
    }
}
