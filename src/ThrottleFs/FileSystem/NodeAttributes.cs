namespace ThrottleFs.FileSystem;

/// <summary>A file's attributes as a POSIX <c>stat</c> reports them; times are seconds and nanoseconds since the epoch.</summary>
public readonly record struct NodeAttributes(
    ulong Inode,
    ulong Size,
    ulong Blocks,
    long AccessSeconds,
    uint AccessNanoseconds,
    long ModifySeconds,
    uint ModifyNanoseconds,
    long ChangeSeconds,
    uint ChangeNanoseconds,
    uint Mode,
    uint Links,
    uint Uid,
    uint Gid,
    uint Rdev,
    uint BlockSize)
{
    /// <summary>The file type bits of <see cref="Mode"/> (<c>S_IFMT</c>).</summary>
    public uint Type => Mode & FileModes.TypeMask;

    /// <summary>Whether this is a directory.</summary>
    public bool IsDirectory => Type == FileModes.Directory;
}
