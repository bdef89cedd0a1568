namespace ThrottleFs.FileSystem;

/// <summary>
/// The parts of <see cref="IFileSystem.Open"/>'s flags that layers above a filesystem look at. The flags are
/// open(2)'s as the platform layer received them; only the access mode, whose values POSIX fixes, is read here.
/// </summary>
public static class OpenFlags
{
    /// <summary>The access mode bits (<c>O_ACCMODE</c>).</summary>
    public const int AccessMode = 3;

    /// <summary>Read only (<c>O_RDONLY</c>).</summary>
    public const int ReadOnly = 0;

    /// <summary>Whether the file is opened for writing (<c>O_WRONLY</c> or <c>O_RDWR</c>).</summary>
    public static bool Writes(int flags) => (flags & AccessMode) != ReadOnly;
}
