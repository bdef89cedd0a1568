using ThrottleFs.FileSystem;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>
/// The core's errno as the NTSTATUS Windows applications understand, after WinFsp's table (its FUSE layer faced the
/// same question), not dokan_fuse's, which turns EINVAL into "not implemented".
/// </summary>
internal static class ErrnoStatus
{
    /// <summary>The status of a request on a file that is already open, or on a name (not an open).</summary>
    public static int From(Errno error) => error switch
    {
        Errno.Success => NtStatus.Success,
        Errno.EPERM or Errno.EACCES => NtStatus.AccessDenied,
        Errno.ENOENT => NtStatus.ObjectNameNotFound,
        Errno.EINTR => NtStatus.Cancelled,
        Errno.EIO or Errno.EPROTO => NtStatus.IoDeviceError,
        Errno.ENXIO or Errno.ENODEV => NtStatus.NoSuchDevice,
        Errno.ENOMEM or Errno.E2BIG => NtStatus.InsufficientResources,
        Errno.EBADF => NtStatus.InvalidHandle,
        Errno.EFAULT => NtStatus.AccessViolation,
        Errno.EBUSY => NtStatus.DeviceBusy,
        Errno.EAGAIN => NtStatus.LockNotGranted,
        Errno.EEXIST => NtStatus.ObjectNameCollision,
        Errno.EXDEV => NtStatus.NotSameDevice,
        Errno.ENOTDIR => NtStatus.NotADirectory,
        Errno.EISDIR => NtStatus.FileIsADirectory,
        Errno.EINVAL or Errno.ESPIPE or Errno.ERANGE or Errno.EOVERFLOW => NtStatus.InvalidParameter,
        Errno.ENFILE or Errno.EMFILE => NtStatus.TooManyOpenedFiles,
        Errno.EFBIG => NtStatus.FileTooLarge,
        Errno.ENOSPC => NtStatus.DiskFull,
        Errno.EDQUOT => NtStatus.QuotaExceeded,
        Errno.EROFS => NtStatus.MediaWriteProtected,
        Errno.EMLINK => NtStatus.TooManyLinks,
        Errno.ENAMETOOLONG => NtStatus.NameTooLong,
        Errno.ENOSYS => NtStatus.InvalidDeviceRequest,
        Errno.ENOTEMPTY => NtStatus.DirectoryNotEmpty,
        Errno.ELOOP => NtStatus.ReparsePointNotResolved,
        Errno.EOPNOTSUPP => NtStatus.NotSupported,
        Errno.ECONNABORTED => NtStatus.ConnectionAborted,
        Errno.ENOTCONN => NtStatus.ConnectionInvalid,

        // A request that waited past the host's cap (RequestWait): the application sees ERROR_SEM_TIMEOUT.
        Errno.ETIMEDOUT => NtStatus.IoTimeout,
        _ => NtStatus.Unsuccessful,
    };

    /// <summary>
    /// The status of a failed open: a file in use is a sharing violation there, and a name that is missing tells
    /// whether the file or a directory on its way is (<paramref name="parentMissing"/>), as Windows distinguishes.
    /// </summary>
    public static int FromOpen(Errno error, bool parentMissing) => error switch
    {
        Errno.ENOENT when parentMissing => NtStatus.ObjectPathNotFound,
        Errno.EBUSY => NtStatus.SharingViolation,
        _ => From(error),
    };
}
