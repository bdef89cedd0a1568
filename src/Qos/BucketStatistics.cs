namespace ThrottleFs.Qos;

/// <summary>One bucket's limits and fill, as of the moment it was read.</summary>
/// <param name="Kind">Which bucket.</param>
/// <param name="Avg">Sustained rate (0: bucket disabled).</param>
/// <param name="Max">Burst rate (0: none).</param>
/// <param name="Capacity">Units the bucket holds before requests wait.</param>
/// <param name="Level">Units of capacity in use (may exceed <paramref name="Capacity"/> by the last request's overdraft).</param>
/// <param name="Credit">Units that may pass before requests wait.</param>
/// <param name="BurstSecondsLeft">
/// How long a client running at the burst rate could go on before it is held to <paramref name="Avg"/>;
/// 0 when no burst rate above the average is configured.
/// </param>
public sealed record BucketStatistics(
    BucketKind Kind,
    long Avg,
    long Max,
    double Capacity,
    double Level,
    double Credit,
    double BurstSecondsLeft)
{
    /// <summary>Fraction of the capacity in use, 0 to 1 (1 when overdrawn).</summary>
    public double Fill => Capacity <= 0 ? 0 : Math.Min(Level / Capacity, 1);
}
