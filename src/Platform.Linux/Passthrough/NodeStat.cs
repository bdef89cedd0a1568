using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// A backing inode's attributes, read with statx (one layout on every architecture) and turned into the contract's
/// <see cref="NodeAttributes"/>; device numbers converted between glibc's <c>dev_t</c> and the kernel's encoding,
/// which FUSE uses for <c>rdev</c>.
/// </summary>
internal static unsafe class NodeStat
{
    /// <summary>
    /// The C empty string "" for *at(fd, "", AT_EMPTY_PATH) calls. Not ""u8: an empty span pins to a null pointer,
    /// which kernels before 6.11 answer with EFAULT.
    /// </summary>
    public static ReadOnlySpan<byte> EmptyPath => "\0"u8;

    /// <summary>statx of the inode <paramref name="fd"/> itself names (a symlink is not followed).</summary>
    public static Errno Of(int fd, out StatxBuffer stx)
    {
        stx = default;
        fixed (StatxBuffer* buffer = &stx)
        fixed (byte* p = EmptyPath)
        {
            return Check(Statx(fd, p, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buffer));
        }
    }

    /// <summary>The attributes of the inode <paramref name="fd"/> names.</summary>
    public static Errno Of(int fd, out NodeAttributes attributes)
    {
        var error = Of(fd, out StatxBuffer stx);
        attributes = error == Errno.Success ? ToAttributes(stx) : default;
        return error;
    }

    public static ulong Device(in StatxBuffer stx) => ((ulong)stx.DevMajor << 32) | stx.DevMinor;

    public static NodeAttributes ToAttributes(in StatxBuffer stx) => new(
        stx.Ino, stx.Size, stx.Blocks,
        stx.Atime.Seconds, stx.Atime.Nanoseconds,
        stx.Mtime.Seconds, stx.Mtime.Nanoseconds,
        stx.Ctime.Seconds, stx.Ctime.Nanoseconds,
        stx.Mode, stx.Nlink, stx.Uid, stx.Gid,
        EncodeDevice(stx.RdevMajor, stx.RdevMinor), stx.BlockSize);

    /// <summary>glibc's <c>dev_t</c> for mknod from the kernel's encoding of <paramref name="rdev"/>.</summary>
    public static ulong DecodeDevice(uint rdev)
    {
        ulong major = (rdev & 0xFFF00) >> 8;
        ulong minor = (rdev & 0xFF) | ((rdev >> 12) & 0xFFF00);
        return ((major & 0xFFFFF000) << 32) | ((major & 0xFFF) << 8) | ((minor & 0xFFFFFF00) << 12) | (minor & 0xFF);
    }

    // The kernel's "new" dev_t encoding.
    private static uint EncodeDevice(uint major, uint minor) => (minor & 0xFF) | (major << 8) | ((minor & ~0xFFu) << 12);
}
