namespace ThrottleFs.Qos;

/*
 * QEMU's leaky bucket (util/throttle.c), the pure arithmetic only: no clock, no timers.
 *
 * A bucket fills with every admitted request (bytes for bps buckets, operations for iops buckets) and leaks at
 * Avg units per second. A request may start when the bucket is not over its capacity; it is then charged in
 * full, so the bucket may overshoot ("overdraft") and the next request pays the wait. Hence the first request
 * on an idle bucket is never delayed, whatever its size.
 *
 * Capacity: with no burst rate (Max == 0) the bucket holds Avg/10, i.e. 100 ms of I/O may pass without
 * throttling; QEMU explains that "otherwise every other request will be throttled and performance will suffer
 * considerably". With a burst rate the bucket holds Max × BurstLength: that many units may be spent above the
 * average before throttling to Avg.
 *
 * When BurstLength > 1 a second, smaller bucket (BurstLevel, capacity Max/10, leaking at Max) keeps the burst
 * itself at Max units per second. With BurstLength == 1 there is no such bucket: the Max units of credit can be
 * spent at once.
 */

/// <summary>
/// One leaky bucket, as QEMU's <c>LeakyBucket</c>: the configured rates and the current levels, with the pure
/// operations <see cref="Leak"/>, <see cref="ComputeWait"/> and <see cref="Charge"/>.
/// </summary>
internal struct LeakyBucket
{
    /// <summary>Nanoseconds per second, the unit every wait and elapsed time is expressed in.</summary>
    public const double NanosecondsPerSecond = 1_000_000_000;

    /// <summary>Creates a bucket with the given limits and empty levels.</summary>
    public LeakyBucket(long avg, long max = 0, long burstLength = 1)
    {
        Avg = avg;
        Max = max;
        BurstLength = burstLength;
        Capacity = max == 0 ? (double)avg / 10 : max * burstLength;
        BurstCapacity = (double)max / 10;
    }

    /// <summary>Creates an empty bucket from a bucket config.</summary>
    public LeakyBucket(BucketConfig config)
        : this(config.Avg, config.Max, config.MaxLength)
    {
    }

    /// <summary>Sustained rate in units per second; 0 disables the bucket.</summary>
    public long Avg { get; }

    /// <summary>Burst rate in units per second; 0 when no burst is configured.</summary>
    public long Max { get; }

    /// <summary>Seconds a burst at <see cref="Max"/> may last.</summary>
    public long BurstLength { get; }

    /// <summary>Units in the main bucket.</summary>
    public double Level { get; set; }

    /// <summary>Units in the burst bucket; only used when <see cref="BurstLength"/> &gt; 1.</summary>
    public double BurstLevel { get; set; }

    /// <summary>Units the main bucket holds before requests wait: <c>Avg/10</c> without a burst rate, else <c>Max × BurstLength</c>.</summary>
    public double Capacity { get; }

    /// <summary>Units the burst bucket holds before requests wait: <c>Max/10</c>.</summary>
    public double BurstCapacity { get; }

    /// <summary>Whether the separate burst-rate bucket is in use.</summary>
    public readonly bool HasBurstBucket => BurstLength > 1;

    /// <summary>Lets <paramref name="elapsedNs"/> nanoseconds of I/O drain out of the bucket. Levels never go below 0.</summary>
    public void Leak(long elapsedNs)
    {
        Level = Math.Max(Level - Avg * (double)elapsedNs / NanosecondsPerSecond, 0);
        if (HasBurstBucket)
        {
            BurstLevel = Math.Max(BurstLevel - Max * (double)elapsedNs / NanosecondsPerSecond, 0);
        }
    }

    /// <summary>
    /// Nanoseconds until the bucket is back at its capacity, or 0 if a request may start now. The main bucket is
    /// checked first; the burst bucket only when the main one has room. A level exactly at capacity does not wait.
    /// </summary>
    public readonly long ComputeWait()
    {
        if (Avg == 0)
        {
            return 0;
        }

        var extra = Level - Capacity;
        if (extra > 0)
        {
            return (long)(extra * NanosecondsPerSecond / Avg);
        }

        if (HasBurstBucket)
        {
            // Validation guarantees Max > 0 here: a burst length above 1 needs a burst rate.
            var burstExtra = BurstLevel - BurstCapacity;
            if (burstExtra > 0)
            {
                return (long)(burstExtra * NanosecondsPerSecond / Max);
            }
        }

        return 0;
    }

    /// <summary>Takes a refused request's units back out of the levels.</summary>
    public void Refund(double units)
    {
        Level = Math.Max(Level - units, 0);
        if (HasBurstBucket)
        {
            BurstLevel = Math.Max(BurstLevel - units, 0);
        }
    }

    /// <summary>Adds an admitted request's units to the levels.</summary>
    public void Charge(double units)
    {
        Level += units;
        if (HasBurstBucket)
        {
            BurstLevel += units;
        }
    }
}
