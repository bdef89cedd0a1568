using ThrottleFs.FileSystem;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>GetFileInformation, SetFileAttributes and SetFileTime: POSIX attributes shown as Windows ones.</summary>
internal sealed unsafe partial class DokanDispatcher
{
    // FILETIME values that mean "leave this time alone" in SetFileTime: 0, and −1 (and −2, which stops updates).
    private const long KeepTime = 0;

    private const uint OwnerWrite = 0x80, AnyWrite = 0x92;

    /// <summary>
    /// GetFileInformation. The core has no birth time; Windows's creation time is shown as the modification time
    /// (the change time is when attributes changed, which would be later than creation by any measure Windows uses).
    /// dokan2 derives ChangeTime and AllocationSize itself.
    /// </summary>
    public int GetFileInformation(ByHandleFileInformation* information, DokanFileInfo* info)
    {
        if (Find(info) is not { } open)
        {
            return NtStatus.InvalidHandle;
        }

        var error = _fs.GetAttributes(open.Node, HandleOf(open), out var attributes);
        if (error != Errno.Success)
        {
            return ErrnoStatus.From(error);
        }

        var modified = FileTimes.From(attributes.ModifySeconds, attributes.ModifyNanoseconds);
        *information = new ByHandleFileInformation
        {
            FileAttributes = WindowsAttributes.Of(attributes),
            CreationTime = FileTime.FromValue(modified),
            LastAccessTime = FileTime.FromValue(FileTimes.From(attributes.AccessSeconds, attributes.AccessNanoseconds)),
            LastWriteTime = FileTime.FromValue(modified),
            VolumeSerialNumber = _volume.SerialNumber,
            FileSizeHigh = (uint)(attributes.Size >> 32),
            FileSizeLow = (uint)attributes.Size,
            NumberOfLinks = attributes.Links,
            FileIndexHigh = (uint)(attributes.Inode >> 32),
            FileIndexLow = (uint)attributes.Inode,
        };
        return NtStatus.Success;
    }

    /// <summary>
    /// SetFileAttributes: of Windows's attributes only READONLY means something to a POSIX file (its write bits); the
    /// others (hidden, archive, system) have nowhere to go and are accepted and dropped, as Samba does without
    /// extended attributes. 0 changes nothing.
    /// </summary>
    public int SetFileAttributes(uint fileAttributes, DokanFileInfo* info)
    {
        if (Find(info) is not { } open)
        {
            return NtStatus.InvalidHandle;
        }

        if (fileAttributes == 0 || open.IsDirectory)
        {
            return NtStatus.Success;
        }

        var error = _fs.GetAttributes(open.Node, HandleOf(open), out var attributes);
        if (error != Errno.Success)
        {
            return ErrnoStatus.From(error);
        }

        var readOnly = (fileAttributes & WindowsAttributes.ReadOnly) != 0;
        if (readOnly == WindowsAttributes.IsReadOnly(attributes))
        {
            return NtStatus.Success;
        }

        var mode = (readOnly ? attributes.Mode & ~AnyWrite : attributes.Mode | OwnerWrite) & 0xFFF;
        return ErrnoStatus.From(_fs.SetAttributes(open.Node, new AttributeChanges(AttributeFields.Mode, mode, 0, 0, 0, 0, 0, 0, 0, null), out _));
    }

    /// <summary>SetFileTime: the access and write times; a creation time has nowhere to go.</summary>
    public int SetFileTime(FileTime* creation, FileTime* lastAccess, FileTime* lastWrite, DokanFileInfo* info)
    {
        if (Find(info) is not { } open)
        {
            return NtStatus.InvalidHandle;
        }

        var fields = AttributeFields.None;
        (long Seconds, uint Nanoseconds) access = default, write = default;
        if (Given(lastAccess))
        {
            fields |= AttributeFields.AccessTime;
            access = FileTimes.ToUnix(lastAccess->Value);
        }

        if (Given(lastWrite))
        {
            fields |= AttributeFields.ModifyTime;
            write = FileTimes.ToUnix(lastWrite->Value);
        }

        if (fields == AttributeFields.None)
        {
            return NtStatus.Success;
        }

        var changes = new AttributeChanges(fields, 0, 0, 0, 0, access.Seconds, access.Nanoseconds, write.Seconds, write.Nanoseconds, HandleOf(open));
        return ErrnoStatus.From(_fs.SetAttributes(open.Node, changes, out _));

        static bool Given(FileTime* time) => time is not null && time->Value is not KeepTime and >= 0;
    }
}
