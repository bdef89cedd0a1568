namespace ThrottleFs.Qos;

/// <summary>
/// The error a refused request returns (<c>over-limit-error</c>). The engine only carries the choice; the filesystem
/// turns it into its errno.
/// </summary>
public enum OverLimitError
{
    /// <summary>The filesystem's choice for the cause: EAGAIN when policed or the queue is full, ETIMEDOUT after max-wait.</summary>
    Default,

    /// <summary>"Resource temporarily unavailable": try again.</summary>
    EAGAIN,

    /// <summary>"Device or resource busy".</summary>
    EBUSY,

    /// <summary>"Input/output error": what a VM guest sees as a failed disk request.</summary>
    EIO,

    /// <summary>"Connection timed out".</summary>
    ETIMEDOUT,

    /// <summary>"No space left on device".</summary>
    ENOSPC,

    /// <summary>"Disk quota exceeded".</summary>
    EDQUOT,
}
