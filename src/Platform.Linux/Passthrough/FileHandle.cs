using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// The kernel's handle of a backing file (name_to_handle_at): what a node keeps instead of an open descriptor. It is
/// a <c>struct file_handle</c> as the kernel fills it, header included, in an array of exactly its size (16 to 28
/// bytes on ext4, tmpfs, xfs and btrfs), so it goes back to open_by_handle_at as it is. A handle names the inode, not
/// a path: it stays valid through renames behind our back and goes stale (ESTALE) once the inode is gone, and the
/// generation number in it keeps a reused inode number from passing for the old file.
/// </summary>
internal static unsafe class FileHandle
{
    /// <summary>
    /// The handle of the inode <paramref name="fd"/> names and the id of the mount it was reached through; null with
    /// the errno when the filesystem has none (EOPNOTSUPP) or it is larger than the kernel's maximum (EOVERFLOW).
    /// </summary>
    public static byte[]? Encode(int fd, out int mountId, out Errno error)
    {
        var buffer = stackalloc byte[FileHandleHeaderSize + MAX_HANDLE_SZ];
        *(uint*)buffer = MAX_HANDLE_SZ;
        int mount;
        int result;
        fixed (byte* empty = NodeStat.EmptyPath)
        {
            result = NameToHandleAt(fd, empty, buffer, &mount, AT_EMPTY_PATH);
        }

        mountId = mount;
        if (result < 0)
        {
            error = LastError;
            return null;
        }

        error = Errno.Success;
        return new ReadOnlySpan<byte>(buffer, FileHandleHeaderSize + (int)*(uint*)buffer).ToArray();
    }

    /// <summary>
    /// An O_PATH descriptor of the inode <paramref name="handle"/> names, opened through <paramref name="mountFd"/>
    /// (a descriptor on its filesystem, not O_PATH), or -1 with errno set.
    /// </summary>
    public static int Open(int mountFd, byte[] handle)
    {
        fixed (byte* h = handle)
        {
            return OpenByHandleAt(mountFd, h, O_PATH | O_CLOEXEC);
        }
    }
}
