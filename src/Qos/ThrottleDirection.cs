namespace ThrottleFs.Qos;

/// <summary>The direction of an I/O request. Reads and writes have separate queues and timers and share the total buckets.</summary>
public enum ThrottleDirection
{
    /// <summary>A read: checked against bps-total, iops-total, bps-read and iops-read.</summary>
    Read = 0,

    /// <summary>A write: checked against bps-total, iops-total, bps-write and iops-write.</summary>
    Write = 1,
}
