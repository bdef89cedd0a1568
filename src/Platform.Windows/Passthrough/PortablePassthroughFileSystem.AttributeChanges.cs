using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// The changes of a setattr, each by the node's path while it has one, else through an open file of it: chmod (on
/// Windows, READONLY for a file without write bits), truncate and utimens.
/// </summary>
public sealed partial class PortablePassthroughFileSystem
{
    // chmod. A symbolic link has no mode of its own on Linux (EOPNOTSUPP, as the Linux passthrough answers); on Windows
    // only a file's READONLY attribute can say "no write bit".
    private static Errno SetMode(string? path, PortableFile? open, uint mode)
    {
        var readOnly = (mode & WriteBits) == 0;
        var info = path is null ? null : new FileInfo(path);
        var type = info is null ? 0 : BackingAttributes.TypeOf(info);
        if (type == FileModes.SymbolicLink)
        {
            return Errno.EOPNOTSUPP;
        }

        if (type != 0)
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path!, (UnixFileMode)(mode & PermissionBits));
            }
            else if (type == FileModes.RegularFile)
            {
                File.SetAttributes(path!, WithReadOnly(info!.Attributes, readOnly));
            }

            return Errno.Success;
        }

        if (open is null)
        {
            return Errno.ENOENT;
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(open.Handle, (UnixFileMode)(mode & PermissionBits));
        }
        else
        {
            File.SetAttributes(open.Handle, WithReadOnly(File.GetAttributes(open.Handle), readOnly));
        }

        return Errno.Success;
    }

    // truncate: through the open file the request names when it may write (ftruncate), else by the path.
    private static Errno SetSize(string? path, PortableFile? open, long size)
    {
        if (size < 0)
        {
            return Errno.EINVAL;
        }

        if (open is { CanWrite: true } || (path is null && open is not null))
        {
            RandomAccess.SetLength(open.Handle, size);
            return Errno.Success;
        }

        var type = BackingAttributes.TypeOf(new FileInfo(path!));
        if (type != FileModes.RegularFile)
        {
            return type == 0 ? Errno.ENOENT : type == FileModes.Directory ? Errno.EISDIR : Errno.EINVAL;
        }

        using var handle = File.OpenHandle(path!, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        RandomAccess.SetLength(handle, size);
        return Errno.Success;
    }

    // utimensat: each time given, or now; the other left as it is.
    private static Errno SetTimes(string? path, PortableFile? open, in AttributeChanges changes)
    {
        var fields = changes.Fields;
        if (!TryTime(fields, AttributeFields.AccessTime, AttributeFields.AccessTimeNow, changes.AccessSeconds, changes.AccessNanoseconds, out var accessed)
            || !TryTime(fields, AttributeFields.ModifyTime, AttributeFields.ModifyTimeNow, changes.ModifySeconds, changes.ModifyNanoseconds, out var modified))
        {
            return Errno.EINVAL;
        }

        var type = path is null ? 0 : BackingAttributes.TypeOf(new FileInfo(path));
        if (type == 0 && open is null)
        {
            return Errno.ENOENT;
        }

        if (type == 0)
        {
            SetTimes(open!, accessed, modified);
        }
        else if (type == FileModes.Directory)
        {
            SetTimes(path!, accessed, modified, Directory.SetLastAccessTimeUtc, Directory.SetLastWriteTimeUtc);
        }
        else
        {
            SetTimes(path!, accessed, modified, File.SetLastAccessTimeUtc, File.SetLastWriteTimeUtc);
        }

        return Errno.Success;
    }

    private static void SetTimes(string path, DateTime? accessed, DateTime? modified, Action<string, DateTime> setAccess, Action<string, DateTime> setWrite)
    {
        if (accessed is { } a)
        {
            setAccess(path, a);
        }

        if (modified is { } m)
        {
            setWrite(path, m);
        }
    }

    private static void SetTimes(PortableFile open, DateTime? accessed, DateTime? modified)
    {
        if (accessed is { } a)
        {
            File.SetLastAccessTimeUtc(open.Handle, a);
        }

        if (modified is { } m)
        {
            File.SetLastWriteTimeUtc(open.Handle, m);
        }
    }

    // A time to set (null: leave it), false when it is out of .NET's range.
    private static bool TryTime(AttributeFields fields, AttributeFields set, AttributeFields now, long seconds, uint nanoseconds, out DateTime? time)
    {
        time = null;
        if ((fields & set) == 0)
        {
            return true;
        }

        if ((fields & now) != 0)
        {
            time = DateTime.UtcNow;
            return true;
        }

        var valid = BackingTime.TryTo(seconds, nanoseconds, out var utc);
        time = utc;
        return valid;
    }

    // Normal is only valid alone, so it goes when READONLY comes, and comes back when nothing else is left.
    private static FileAttributes WithReadOnly(FileAttributes attributes, bool readOnly)
    {
        attributes &= ~FileAttributes.Normal;
        attributes = readOnly ? attributes | FileAttributes.ReadOnly : attributes & ~FileAttributes.ReadOnly;
        return attributes == 0 ? FileAttributes.Normal : attributes;
    }
}
