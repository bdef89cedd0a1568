namespace ThrottleFs.FileSystem;

/// <summary>
/// The open(2) flags of <see cref="IFileSystem.Open"/> and <see cref="IFileSystem.Create"/>, with the values every
/// platform layer passes: Linux's generic ones (the same on x86-64 and arm64), which the FUSE host receives as they
/// are and the Dokan host builds from a Windows create request. Flags whose values differ by architecture (O_DIRECT,
/// O_NOFOLLOW, ...) are not here: only the Linux passthrough reads them, from its own interop.
/// </summary>
public static class OpenFlags
{
    /// <summary>The access mode bits (<c>O_ACCMODE</c>).</summary>
    public const int AccessMode = 3;

    /// <summary>Read only (<c>O_RDONLY</c>).</summary>
    public const int ReadOnly = 0;

    /// <summary><c>O_WRONLY</c>.</summary>
    public const int WriteOnly = 1;

    /// <summary><c>O_RDWR</c>.</summary>
    public const int ReadWrite = 2;

    /// <summary><c>O_CREAT</c>.</summary>
    public const int Create = 0x40;

    /// <summary><c>O_EXCL</c>.</summary>
    public const int Exclusive = 0x80;

    /// <summary><c>O_TRUNC</c>.</summary>
    public const int Truncate = 0x200;

    /// <summary><c>O_APPEND</c>.</summary>
    public const int Append = 0x400;

    /// <summary><c>O_DSYNC</c>, which O_SYNC includes: every write reaches the disk before it returns.</summary>
    public const int DataSync = 0x1000;

    /// <summary>Whether the file is opened for writing (<c>O_WRONLY</c> or <c>O_RDWR</c>).</summary>
    public static bool Writes(int flags) => (flags & AccessMode) != ReadOnly;
}
