namespace ThrottleFs.Qos;

/// <summary>
/// The most credit of one bucket a shared (cluster-wide) bucket can hand out at once: what it holds when idle. A leaky
/// bucket holds <c>Avg/10</c>, or <c>Max × BurstLength</c> with a burst rate, spent no faster than its burst bucket's
/// <c>Max/10</c> when the burst lasts longer than a second; a token bucket has at most <c>Max</c> (or <c>Avg</c>)
/// available. A host never asks for more, and a request costing more passes once the host holds this much.
/// </summary>
internal static class LeaseCeiling
{
    public static double Of(ThrottleConfig config, BucketKind kind)
    {
        var bucket = config[kind];
        if (!bucket.IsEnabled)
        {
            return 0;
        }

        if (config.Algorithm == ThrottleAlgorithm.Token)
        {
            return bucket.Max == 0 ? bucket.Avg : bucket.Max;
        }

        var leaky = new LeakyBucket(bucket);
        return leaky.HasBurstBucket ? Math.Min(leaky.Capacity, leaky.BurstCapacity) : leaky.Capacity;
    }
}
