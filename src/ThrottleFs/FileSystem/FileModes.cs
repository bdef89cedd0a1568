namespace ThrottleFs.FileSystem;

/// <summary>
/// The file type bits of <see cref="NodeAttributes.Mode"/>, encoded as POSIX <c>stat</c> encodes them: the
/// contract's own encoding on every platform (a Windows host translates its attributes into it).
/// </summary>
public static class FileModes
{
    /// <summary>The type bits (<c>S_IFMT</c>).</summary>
    public const uint TypeMask = 0xF000;

    /// <summary>A directory (<c>S_IFDIR</c>).</summary>
    public const uint Directory = 0x4000;

    /// <summary>A regular file (<c>S_IFREG</c>).</summary>
    public const uint RegularFile = 0x8000;

    /// <summary>A symbolic link (<c>S_IFLNK</c>).</summary>
    public const uint SymbolicLink = 0xA000;

    /// <summary>The set-group-id bit (<c>S_ISGID</c>): on a directory, new entries take its group.</summary>
    public const uint SetGroupId = 0x400;

    /// <summary>The type as a directory entry's <c>d_type</c> carries it.</summary>
    public static uint EntryType(uint mode) => (mode & TypeMask) >> 12;
}
