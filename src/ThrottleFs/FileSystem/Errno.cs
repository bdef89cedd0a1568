namespace ThrottleFs.FileSystem;

/// <summary>
/// Linux errno values, the result type of every filesystem operation. The FUSE layer sends them as they are;
/// the Windows layer maps them to NTSTATUS. A platform's interop turns its native error into this type in one place
/// (on Linux, <c>Interop.Sys.LastError</c>).
/// </summary>
public enum Errno
{
    Success = 0,
    EPERM = 1,
    ENOENT = 2,
    EINTR = 4,
    EIO = 5,
    ENXIO = 6,
    E2BIG = 7,
    EBADF = 9,
    EAGAIN = 11,
    ENOMEM = 12,
    EACCES = 13,
    EFAULT = 14,
    EBUSY = 16,
    EEXIST = 17,
    EXDEV = 18,
    ENODEV = 19,
    ENOTDIR = 20,
    EISDIR = 21,
    EINVAL = 22,
    ENFILE = 23,
    EMFILE = 24,
    EFBIG = 27,
    ENOSPC = 28,
    ESPIPE = 29,
    EROFS = 30,
    EMLINK = 31,
    ERANGE = 34,
    ENAMETOOLONG = 36,
    ENOSYS = 38,
    ENOTEMPTY = 39,
    ELOOP = 40,
    ENODATA = 61,
    EPROTO = 71,
    EOVERFLOW = 75,
    EOPNOTSUPP = 95,
    ECONNABORTED = 103,
    ENOTCONN = 107,
    ETIMEDOUT = 110,
    EDQUOT = 122,
    ECANCELED = 125,
    ESTALE = 116,
}
