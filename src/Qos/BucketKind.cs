namespace ThrottleFs.Qos;

/// <summary>The six buckets of a throttle state, in QEMU's order (which is also the order rules are validated in).</summary>
public enum BucketKind
{
    /// <summary>Bytes per second, reads and writes together.</summary>
    BpsTotal = 0,

    /// <summary>Bytes per second, reads only.</summary>
    BpsRead = 1,

    /// <summary>Bytes per second, writes only.</summary>
    BpsWrite = 2,

    /// <summary>Operations per second, reads and writes together.</summary>
    IopsTotal = 3,

    /// <summary>Operations per second, reads only.</summary>
    IopsRead = 4,

    /// <summary>Operations per second, writes only.</summary>
    IopsWrite = 5,
}

/// <summary>Names and tables over <see cref="BucketKind"/>.</summary>
public static class BucketKinds
{
    /// <summary>Number of buckets in a throttle state.</summary>
    public const int Count = 6;

    /// <summary>All bucket kinds in QEMU's order.</summary>
    public static ReadOnlySpan<BucketKind> All =>
    [
        BucketKind.BpsTotal, BucketKind.BpsRead, BucketKind.BpsWrite,
        BucketKind.IopsTotal, BucketKind.IopsRead, BucketKind.IopsWrite,
    ];

    /// <summary>
    /// The four buckets a request is checked against and charged to, per direction, in QEMU's
    /// <c>to_check</c> order: bps-total, iops-total, then the direction's bps and iops buckets.
    /// </summary>
    public static ReadOnlySpan<BucketKind> For(ThrottleDirection direction) => direction == ThrottleDirection.Read
        ? [BucketKind.BpsTotal, BucketKind.IopsTotal, BucketKind.BpsRead, BucketKind.IopsRead]
        : [BucketKind.BpsTotal, BucketKind.IopsTotal, BucketKind.BpsWrite, BucketKind.IopsWrite];

    /// <summary>Whether the bucket counts bytes (bps) rather than operations (iops).</summary>
    public static bool CountsBytes(this BucketKind kind) => kind <= BucketKind.BpsWrite;

    /// <summary>The bucket's QEMU option name, e.g. <c>iops-total</c>.</summary>
    public static string Name(this BucketKind kind) => kind switch
    {
        BucketKind.BpsTotal => "bps-total",
        BucketKind.BpsRead => "bps-read",
        BucketKind.BpsWrite => "bps-write",
        BucketKind.IopsTotal => "iops-total",
        BucketKind.IopsRead => "iops-read",
        BucketKind.IopsWrite => "iops-write",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
