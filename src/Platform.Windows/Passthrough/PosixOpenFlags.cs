namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// The open(2) flags the portable passthrough honours, with the values the core passes on every platform (Linux's
/// generic ones, which the Dokan layer builds too). The others (O_DIRECT, O_NOFOLLOW, O_NOATIME, ...) are ignored:
/// .NET has no portable way to ask for them.
/// </summary>
internal static class PosixOpenFlags
{
    /// <summary>O_WRONLY.</summary>
    public const int WriteOnly = 1;

    /// <summary>O_RDWR.</summary>
    public const int ReadWrite = 2;

    /// <summary>O_CREAT.</summary>
    public const int Create = 0x40;

    /// <summary>O_EXCL.</summary>
    public const int Exclusive = 0x80;

    /// <summary>O_TRUNC.</summary>
    public const int Truncate = 0x200;

    /// <summary>O_APPEND.</summary>
    public const int Append = 0x400;

    /// <summary>O_DSYNC, which O_SYNC includes: every write reaches the disk before it returns.</summary>
    public const int DataSync = 0x1000;
}
