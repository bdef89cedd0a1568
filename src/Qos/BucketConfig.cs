namespace ThrottleFs.Qos;

/// <summary>
/// The limits of one bucket, in QEMU's terms: <paramref name="Avg"/> is the sustained rate, <paramref name="Max"/>
/// the burst rate and <paramref name="MaxLength"/> how many seconds a burst at <paramref name="Max"/> may last.
/// Rates are units per second (bytes for bps buckets, operations for iops buckets); 0 means "not set".
/// </summary>
/// <param name="Avg">Sustained rate; 0 disables the bucket.</param>
/// <param name="Max">Burst rate; 0 means no burst beyond the default 100 ms of <paramref name="Avg"/>.</param>
/// <param name="MaxLength">Burst length in seconds; QEMU's default is 1 and 0 is invalid.</param>
public readonly record struct BucketConfig(long Avg, long Max, long MaxLength)
{
    /// <summary>A bucket with no limit: avg 0, max 0, max-length 1 (QEMU's defaults).</summary>
    public static BucketConfig Unlimited { get; } = new(0, 0, 1);

    /// <summary>Whether this bucket limits anything (QEMU: <c>avg != 0</c>).</summary>
    public bool IsEnabled => Avg != 0;
}
