using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Windows.Dokan;
using ThrottleFs.Platform.Windows.Passthrough;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Tests.Dokan;

/// <summary>
/// The core's errno as NTSTATUS: the table of dokan-notes.md §2 (after WinFsp's errno.i), row by row, and how it
/// meets what Windows itself would say for the errors a backing NTFS volume really returns.
/// </summary>
public sealed class ErrnoStatusTests
{
    public static TheoryData<Errno, uint> Table => new()
    {
        { Errno.Success, 0x00000000 },
        { Errno.EPERM, 0xC0000022 },        // ACCESS_DENIED
        { Errno.EACCES, 0xC0000022 },       // ACCESS_DENIED
        { Errno.ENOENT, 0xC0000034 },       // OBJECT_NAME_NOT_FOUND
        { Errno.EINTR, 0xC0000120 },        // CANCELLED
        { Errno.EIO, 0xC0000185 },          // IO_DEVICE_ERROR
        { Errno.EPROTO, 0xC0000185 },       // IO_DEVICE_ERROR
        { Errno.ENXIO, 0xC000000E },        // NO_SUCH_DEVICE
        { Errno.ENODEV, 0xC000000E },       // NO_SUCH_DEVICE
        { Errno.ENOMEM, 0xC000009A },       // INSUFFICIENT_RESOURCES
        { Errno.E2BIG, 0xC000009A },        // INSUFFICIENT_RESOURCES
        { Errno.EBADF, 0xC0000008 },        // INVALID_HANDLE
        { Errno.EFAULT, 0xC0000005 },       // ACCESS_VIOLATION
        { Errno.EBUSY, 0x80000011 },        // DEVICE_BUSY
        { Errno.EAGAIN, 0xC0000055 },       // LOCK_NOT_GRANTED
        { Errno.EEXIST, 0xC0000035 },       // OBJECT_NAME_COLLISION
        { Errno.EXDEV, 0xC00000D4 },        // NOT_SAME_DEVICE
        { Errno.ENOTDIR, 0xC0000103 },      // NOT_A_DIRECTORY
        { Errno.EISDIR, 0xC00000BA },       // FILE_IS_A_DIRECTORY
        { Errno.EINVAL, 0xC000000D },       // INVALID_PARAMETER
        { Errno.ESPIPE, 0xC000000D },       // INVALID_PARAMETER
        { Errno.ERANGE, 0xC000000D },       // INVALID_PARAMETER
        { Errno.EOVERFLOW, 0xC000000D },    // INVALID_PARAMETER
        { Errno.ENFILE, 0xC000011F },       // TOO_MANY_OPENED_FILES
        { Errno.EMFILE, 0xC000011F },       // TOO_MANY_OPENED_FILES
        { Errno.EFBIG, 0xC0000904 },        // FILE_TOO_LARGE
        { Errno.ENOSPC, 0xC000007F },       // DISK_FULL
        { Errno.EDQUOT, 0xC0000044 },       // QUOTA_EXCEEDED (over-limit-error=EDQUOT)
        { Errno.EROFS, 0xC00000A2 },        // MEDIA_WRITE_PROTECTED
        { Errno.EMLINK, 0xC0000265 },       // TOO_MANY_LINKS
        { Errno.ENAMETOOLONG, 0xC0000106 }, // NAME_TOO_LONG
        { Errno.ENOSYS, 0xC0000010 },       // INVALID_DEVICE_REQUEST
        { Errno.ENOTEMPTY, 0xC0000101 },    // DIRECTORY_NOT_EMPTY
        { Errno.ELOOP, 0xC0000280 },        // REPARSE_POINT_NOT_RESOLVED
        { Errno.EOPNOTSUPP, 0xC00000BB },   // NOT_SUPPORTED
        { Errno.ECONNABORTED, 0xC0000241 }, // CONNECTION_ABORTED
        { Errno.ENOTCONN, 0xC000023A },     // CONNECTION_INVALID

        // Not in WinFsp's table: the host's own wait cap (RequestWait); applications see ERROR_SEM_TIMEOUT.
        { Errno.ETIMEDOUT, 0xC00000B5 },    // IO_TIMEOUT

        // "other" in the table.
        { Errno.ENODATA, 0xC0000001 },      // UNSUCCESSFUL
        { Errno.ESTALE, 0xC0000001 },       // UNSUCCESSFUL
        { (Errno)9999, 0xC0000001 },        // UNSUCCESSFUL
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void ErrnoBecomesItsTableStatus(Errno error, uint status) =>
        Assert.Equal(status, (uint)ErrnoStatus.From(error));

    [Fact]
    public void MissingNameOnOpenIsObjectNameNotFound() =>
        Assert.Equal(NtStatus.ObjectNameNotFound, ErrnoStatus.FromOpen(Errno.ENOENT, parentMissing: false));

    [Fact]
    public void MissingParentOnOpenIsObjectPathNotFound() =>
        Assert.Equal(NtStatus.ObjectPathNotFound, ErrnoStatus.FromOpen(Errno.ENOENT, parentMissing: true));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BusyFileOnOpenIsSharingViolation(bool parentMissing) =>
        Assert.Equal(NtStatus.SharingViolation, ErrnoStatus.FromOpen(Errno.EBUSY, parentMissing));

    [Theory]
    [InlineData(Errno.EACCES)]
    [InlineData(Errno.EEXIST)]
    [InlineData(Errno.ENOTDIR)]
    [InlineData(Errno.ETIMEDOUT)]
    public void OtherErrorsOnOpenAreAsAnywhereElse(Errno error) =>
        Assert.Equal(ErrnoStatus.From(error), ErrnoStatus.FromOpen(error, parentMissing: true));

    // ERROR_FILE_NOT_FOUND, ACCESS_DENIED, FILE_EXISTS, DISK_FULL, DIR_NOT_EMPTY, ALREADY_EXISTS, FILENAME_EXCED_RANGE.
    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(80)]
    [InlineData(112)]
    [InlineData(145)]
    [InlineData(183)]
    [InlineData(206)]
    public void BackingStoreErrorReachesTheStatusWindowsWouldGive(int win32Error)
    {
        // What Windows would answer for the backing volume's own error, against what survives our errno boundary.
        var errno = BackingError.From(ExceptionDotNetThrowsFor(win32Error));

        Assert.Equal(NtStatusFromWin32((uint)win32Error), ErrnoStatus.From(errno));
    }

    [Fact]
    public void MissingDirectoryOnTheWayNeedsTheOpenToSayWhichPartIsMissing()
    {
        // ERROR_PATH_NOT_FOUND and ERROR_FILE_NOT_FOUND are both ENOENT, so the plain mapping says "name not found";
        // only an open that knows the parent is missing gives Windows' OBJECT_PATH_NOT_FOUND.
        var errno = BackingError.From(ExceptionDotNetThrowsFor(3));

        Assert.Equal(Errno.ENOENT, errno);
        Assert.Equal(NtStatus.ObjectPathNotFound, NtStatusFromWin32(3));
        Assert.Equal(NtStatus.ObjectNameNotFound, ErrnoStatus.From(errno));
        Assert.Equal(NtStatus.ObjectPathNotFound, ErrnoStatus.FromOpen(errno, parentMissing: true));
    }

    [Fact]
    public void SharingViolationIsOnlyASharingViolationOnOpen()
    {
        // ERROR_SHARING_VIOLATION becomes EBUSY, which outside an open is the (retryable) DEVICE_BUSY.
        var errno = BackingError.From(ExceptionDotNetThrowsFor(32));

        Assert.Equal(Errno.EBUSY, errno);
        Assert.Equal(NtStatus.SharingViolation, NtStatusFromWin32(32));
        Assert.Equal(NtStatus.DeviceBusy, ErrnoStatus.From(errno));
        Assert.Equal(NtStatus.SharingViolation, ErrnoStatus.FromOpen(errno, parentMissing: false));
    }

    [Fact]
    public void HandleDiskFullIsDiskFullWhereDokanWouldSayAccessDenied()
    {
        // ERROR_HANDLE_DISK_FULL (39) has no line in dokany's table, so DokanNtStatusFromWin32 falls back to
        // ACCESS_DENIED; through ENOSPC we say DISK_FULL, which is what the error means.
        var errno = BackingError.From(ExceptionDotNetThrowsFor(39));

        Assert.Equal(NtStatus.AccessDenied, NtStatusFromWin32(39));
        Assert.Equal(NtStatus.DiskFull, ErrnoStatus.From(errno));
    }

    /// <summary>
    /// The exception .NET's file APIs throw on Windows for a Win32 error (Win32Marshal.GetExceptionForWin32Error): a
    /// few codes get their own type, the rest an IOException carrying HRESULT_FROM_WIN32 (0x8007xxxx).
    /// </summary>
    private static Exception ExceptionDotNetThrowsFor(int win32Error) => win32Error switch
    {
        2 => new FileNotFoundException("not found"),
        3 => new DirectoryNotFoundException("path not found"),
        5 => new UnauthorizedAccessException("access denied"),
        206 => new PathTooLongException("too long"),
        _ => new IOException("backing store error", unchecked((int)0x80070000) | win32Error),
    };
}
