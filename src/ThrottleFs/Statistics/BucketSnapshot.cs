using System.Text.Json.Serialization;

namespace ThrottleFs.Statistics;

/// <summary>One enabled bucket as of the snapshot.</summary>
/// <param name="Bucket">Its key: <c>iops-total</c>, <c>bps-read</c>, ...</param>
/// <param name="Avg">Sustained rate (ops or bytes per second).</param>
/// <param name="Max">Burst rate; 0 when none.</param>
/// <param name="Level">Units of capacity in use.</param>
/// <param name="Capacity">Units the bucket holds before requests wait.</param>
/// <param name="Fill">Level over capacity, 0 to 1.</param>
/// <param name="BurstSecondsLeft">How long a client at the burst rate could go on before it is held to the average; 0 without a burst.</param>
internal sealed record BucketSnapshot(
    string Bucket,
    long Avg,
    long Max,
    double Level,
    double Capacity,
    double Fill,
    double BurstSecondsLeft)
{
    /// <summary>
    /// Whether the bucket has a burst rate above its average, so that <see cref="BurstSecondsLeft"/> means something
    /// (without one it is 0, which must not read as "burst used up").
    /// </summary>
    [JsonIgnore]
    public bool HasBurst => Max > Avg;
}
