namespace ThrottleFs.Platform.Linux.Tests.Mounts.Posix;

/// <summary>
/// What a stat step records besides type, permission bits, size, nlink, uid and gid: only fields the sequence
/// determines, since inode numbers and unset timestamps legitimately differ between the two directories.
/// </summary>
[Flags]
internal enum StatFields
{
    Basic = 0,

    /// <summary>atime and mtime to the nanosecond: only where the test set them.</summary>
    Times = 1,

    /// <summary>st_blocks: only where allocation is the point (holes, fallocate).</summary>
    Blocks = 2,

    /// <summary>Device numbers of a device node.</summary>
    Rdev = 4,

    /// <summary>Leaves st_size out: an absolute symlink's size is its target's length, which differs per run.</summary>
    NoSize = 8,
}
