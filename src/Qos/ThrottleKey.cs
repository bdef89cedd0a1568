namespace ThrottleFs.Qos;

/// <summary>What part of a <see cref="ThrottleConfig"/> a key sets.</summary>
public enum ThrottleKeyField
{
    /// <summary>A bucket's sustained rate.</summary>
    Avg,

    /// <summary>A bucket's burst rate.</summary>
    Max,

    /// <summary>A bucket's burst length in seconds.</summary>
    MaxLength,

    /// <summary><c>iops-size</c>.</summary>
    IopsSize,

    /// <summary><c>iops-size-mode</c>.</summary>
    IopsSizeMode,

    /// <summary><c>algorithm</c>.</summary>
    Algorithm,

    /// <summary><c>on-change</c>.</summary>
    OnChange,

    /// <summary><c>latency-read</c>: added to every read once admitted.</summary>
    LatencyRead,

    /// <summary><c>latency-write</c>: added to every write once admitted.</summary>
    LatencyWrite,

    /// <summary><c>latency-jitter</c>: up to this much more, uniformly.</summary>
    LatencyJitter,

    /// <summary><c>latency-seed</c>: makes the jitter repeat from run to run.</summary>
    LatencySeed,

    /// <summary><c>action</c>: shape or police.</summary>
    Action,

    /// <summary><c>queue-depth</c>: how many requests may wait per member and direction.</summary>
    QueueDepth,

    /// <summary><c>max-wait</c>: how long a request may wait in the layer's queue.</summary>
    MaxWait,

    /// <summary><c>over-limit-error</c>: what a refused request returns.</summary>
    OverLimitError,
}

/// <summary>
/// One configuration key: its QEMU name, the other names it is known by (QMP <c>block_set_io_throttle</c>, libvirt
/// <c>&lt;iotune&gt;</c>), and the field it sets.
/// </summary>
/// <param name="Name">The canonical (QEMU <c>-drive throttling.*</c>) name, e.g. <c>iops-total-max-length</c>.</param>
/// <param name="Aliases">Other accepted names, e.g. <c>iops_max_length</c>, <c>total_iops_sec_max_length</c>.</param>
/// <param name="Bucket">The bucket the key belongs to, for the per-bucket fields.</param>
/// <param name="Field">What the key sets.</param>
public sealed record ThrottleKey(string Name, IReadOnlyList<string> Aliases, BucketKind? Bucket, ThrottleKeyField Field)
{
    /// <summary>Whether the value is a byte count or byte rate (and so is shown with K/M/G/T suffixes).</summary>
    public bool IsBytes => Field == ThrottleKeyField.IopsSize ||
        (Bucket is { } kind && kind.CountsBytes() && Field != ThrottleKeyField.MaxLength);
}
