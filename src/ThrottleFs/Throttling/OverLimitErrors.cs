using ThrottleFs.FileSystem;
using ThrottleFs.Qos;

namespace ThrottleFs.Throttling;

/// <summary>
/// The errno a refused request returns: the layer's <c>over-limit-error</c>, or by default EAGAIN for a request refused
/// at once (policed, or its queue full: "try again") and ETIMEDOUT for one that waited <c>max-wait</c>.
/// </summary>
internal static class OverLimitErrors
{
    public static Errno ErrnoOf(ThrottleRefusedException refusal) => refusal.Error switch
    {
        OverLimitError.EAGAIN => Errno.EAGAIN,
        OverLimitError.EBUSY => Errno.EBUSY,
        OverLimitError.EIO => Errno.EIO,
        OverLimitError.ETIMEDOUT => Errno.ETIMEDOUT,
        OverLimitError.ENOSPC => Errno.ENOSPC,
        OverLimitError.EDQUOT => Errno.EDQUOT,
        _ => refusal.Cause == ThrottleRefusal.TimedOut ? Errno.ETIMEDOUT : Errno.EAGAIN,
    };
}
