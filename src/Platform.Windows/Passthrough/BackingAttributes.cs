using System.Text;
using Microsoft.Win32.SafeHandles;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// A backing file's attributes in the contract's POSIX terms, read with .NET's portable calls: by name through a
/// <see cref="FileSystemInfo"/> (which reads the file's status once, not following a symbolic link, and keeps it), or
/// through an open handle for a file whose name is gone. What the portable calls cannot see is made up the way a
/// Windows filesystem mounted on Linux would: the owner given to the passthrough, one link (two for a directory), the
/// change time equal to the modification time, and on Windows the permissions 0644 or 0755 less the write bits when
/// the file is READONLY.
/// </summary>
internal static class BackingAttributes
{
    /// <summary>The block size reported for every file (st_blksize), as the volume statistics report it.</summary>
    public const uint BlockSize = 4096;

    private const FileAttributes Missing = (FileAttributes)(-1);
    private const uint PermissionBits = 0xFFF; // rwx for all three, set-id and sticky
    private const uint WriteBits = 0x92;       // 0222
    private const uint LinkPermissions = 0x1FF; // 0777: Linux shows every symbolic link so

    /// <summary>
    /// The file type of what <paramref name="info"/> names (<see cref="FileModes.RegularFile"/>,
    /// <see cref="FileModes.Directory"/> or <see cref="FileModes.SymbolicLink"/>, a link not followed); 0 when nothing
    /// is there. Anything else Unix has (a FIFO, a socket, a device) reads as a regular file, as .NET shows it.
    /// </summary>
    public static uint TypeOf(FileSystemInfo info)
    {
        var attributes = info.Attributes;
        return attributes == Missing ? 0
            : IsLink(info, attributes) ? FileModes.SymbolicLink
            : (attributes & FileAttributes.Directory) != 0 ? FileModes.Directory
            : FileModes.RegularFile;
    }

    /// <summary>Whether the file is one that POSIX would refuse to open for writing: no write bit, or READONLY on Windows.</summary>
    public static bool IsReadOnly(FileSystemInfo info)
    {
        var type = TypeOf(info);
        if (type is 0 or FileModes.SymbolicLink)
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return type == FileModes.RegularFile && (info.Attributes & FileAttributes.ReadOnly) != 0;
        }

        return ((uint)info.UnixFileMode & WriteBits) == 0;
    }

    /// <summary>The attributes of what <paramref name="info"/> names, as node <paramref name="inode"/>; ENOENT when nothing is there.</summary>
    public static Errno Of(FileSystemInfo info, ulong inode, uint uid, uint gid, out NodeAttributes attributes)
    {
        attributes = default;
        try
        {
            var type = TypeOf(info);
            if (type == 0)
            {
                return Errno.ENOENT;
            }

            // A symbolic link's size is its target's length, as lstat reports it; a directory's means nothing portable.
            var size = type switch
            {
                FileModes.SymbolicLink => Encoding.UTF8.GetByteCount(info.LinkTarget ?? ""),
                FileModes.Directory => 0,
                _ => info is FileInfo file ? file.Length : new FileInfo(info.FullName).Length,
            };

            uint permissions;
            if (type == FileModes.SymbolicLink)
            {
                permissions = LinkPermissions;
            }
            else if (OperatingSystem.IsWindows())
            {
                permissions = WindowsPermissions(type, info.Attributes);
            }
            else
            {
                var mode = info.UnixFileMode;
                if ((int)mode == -1)
                {
                    return Errno.ENOENT; // gone since its type was read
                }

                permissions = (uint)mode & PermissionBits;
            }

            attributes = Build(type | permissions, size, info.LastAccessTimeUtc, info.LastWriteTimeUtc, inode, uid, gid);
            return Errno.Success;
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            return BackingError.From(e);
        }
    }

    /// <summary>The attributes of the regular file open as <paramref name="handle"/>, named or not, as node <paramref name="inode"/>.</summary>
    public static Errno Of(SafeFileHandle handle, ulong inode, uint uid, uint gid, out NodeAttributes attributes)
    {
        attributes = default;
        try
        {
            var permissions = OperatingSystem.IsWindows()
                ? WindowsPermissions(FileModes.RegularFile, File.GetAttributes(handle))
                : UnixPermissions(handle);
            attributes = Build(
                FileModes.RegularFile | permissions, RandomAccess.GetLength(handle),
                File.GetLastAccessTimeUtc(handle), File.GetLastWriteTimeUtc(handle), inode, uid, gid);
            return Errno.Success;
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            return BackingError.From(e);
        }
    }

    // Windows has no permission bits; only READONLY says anything. A directory's READONLY tells Explorer the folder
    // is customized, not that it is protected, so it is not read.
    private static uint WindowsPermissions(uint type, FileAttributes attributes) =>
        type == FileModes.Directory ? 0x1EDu                         // 0755
        : (attributes & FileAttributes.ReadOnly) != 0 ? 0x124u       // 0444
        : 0x1A4u;                                                    // 0644

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static uint UnixPermissions(SafeFileHandle handle) => (uint)File.GetUnixFileMode(handle) & PermissionBits;

    // On Unix a reparse point is a symbolic link; on Windows it may also be a deduplicated or cloud file, which only
    // a link target tells apart.
    private static bool IsLink(FileSystemInfo info, FileAttributes attributes) =>
        (attributes & FileAttributes.ReparsePoint) != 0 && (!OperatingSystem.IsWindows() || info.LinkTarget is not null);

    private static NodeAttributes Build(uint mode, long size, DateTime accessed, DateTime modified, ulong inode, uint uid, uint gid)
    {
        var (accessSeconds, accessNanoseconds) = BackingTime.From(accessed);
        var (modifySeconds, modifyNanoseconds) = BackingTime.From(modified);
        var length = (ulong)Math.Max(size, 0);
        return new NodeAttributes(
            inode, length, (length + 511) / 512,
            accessSeconds, accessNanoseconds,
            modifySeconds, modifyNanoseconds,
            modifySeconds, modifyNanoseconds, // no portable call reads the change time; the last write is the nearest
            mode, (mode & FileModes.TypeMask) == FileModes.Directory ? 2u : 1u, uid, gid, 0, BlockSize);
    }
}
