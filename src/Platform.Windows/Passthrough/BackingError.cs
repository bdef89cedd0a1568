using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// The one place where the exceptions of .NET's file APIs become <see cref="Errno"/> values. The exception type says
/// what it can (not found, access denied, name too long); an <see cref="IOException"/> carries the native code in its
/// <see cref="Exception.HResult"/>: on Windows HRESULT_FROM_WIN32 (0x8007xxxx, the Win32 code in the low word), on Unix
/// the raw errno for most failures, which is already ours. Whatever is not known becomes EIO.
/// </summary>
internal static class BackingError
{
    private const int Win32Facility = unchecked((int)0x80070000);

    /// <summary>Whether <paramref name="exception"/> is a failure of the backing store rather than a bug of ours.</summary>
    public static bool Is(Exception exception) =>
        exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException
            or ObjectDisposedException or System.Security.SecurityException;

    /// <summary>The errno for a failure <see cref="Is"/> recognizes.</summary>
    public static Errno From(Exception exception) => exception switch
    {
        // The subclasses of IOException first: their HResult is Windows' even on Unix.
        FileNotFoundException or DirectoryNotFoundException or DriveNotFoundException => Errno.ENOENT,
        PathTooLongException => Errno.ENAMETOOLONG,
        IOException io => FromHResult(io.HResult),

        // EACCES and EPERM both become this on Unix; the callers tell the cases they care about apart beforehand.
        UnauthorizedAccessException or System.Security.SecurityException => Errno.EACCES,

        // A handle released while a request on it was still running.
        ObjectDisposedException => Errno.EBADF,

        // Bad characters in a name, a time out of range, a negative length.
        ArgumentException => Errno.EINVAL,
        NotSupportedException => Errno.EOPNOTSUPP,
        _ => Errno.EIO,
    };

    private static Errno FromHResult(int hresult)
    {
        if ((hresult & unchecked((int)0xFFFF0000)) == Win32Facility)
        {
            return FromWin32(hresult & 0xFFFF);
        }

        // .NET on Unix puts the errno itself into the HResult of the IOExceptions it has no better type for.
        return !OperatingSystem.IsWindows() && hresult is > 0 and < 4096 ? (Errno)hresult : Errno.EIO;
    }

    private static Errno FromWin32(int code) => code switch
    {
        2 or 3 or 15 or 53 or 67 or 303 => Errno.ENOENT, // file, path, drive, network path, share not found; delete pending
        4 => Errno.EMFILE,                               // too many open files
        5 or 1920 => Errno.EACCES,                       // access denied; the file cannot be accessed
        6 => Errno.EBADF,                                // invalid handle
        8 or 14 => Errno.ENOMEM,                         // not enough memory
        17 => Errno.EXDEV,                               // not the same device
        19 => Errno.EROFS,                               // write protected
        32 or 33 or 170 => Errno.EBUSY,                  // sharing or lock violation; busy
        39 or 112 => Errno.ENOSPC,                       // disk full
        50 => Errno.EOPNOTSUPP,                          // not supported
        80 or 183 => Errno.EEXIST,                       // file exists; already exists
        87 or 123 or 131 or 4390 => Errno.EINVAL,        // invalid parameter or name; negative seek; not a reparse point
        145 => Errno.ENOTEMPTY,                          // directory not empty
        206 => Errno.ENAMETOOLONG,                       // file name too long
        223 => Errno.EFBIG,                              // file too large
        267 => Errno.ENOTDIR,                            // not a directory
        336 => Errno.EISDIR,                             // not supported on a directory
        1142 => Errno.EMLINK,                            // too many links
        1314 => Errno.EPERM,                             // a privilege not held (symbolic links without developer mode)
        1921 => Errno.ELOOP,                             // the name cannot be resolved (too many links)
        _ => Errno.EIO,
    };
}
