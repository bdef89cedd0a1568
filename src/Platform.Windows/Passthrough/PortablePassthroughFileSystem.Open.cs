using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// Opening files: by node, or by name with O_CREAT, as open(2) flags say, through one place that opens every backing
/// file (<see cref="CreateFile"/>). An open holds one lookup of its node until it is released, so the node keeps its
/// path (and an unlinked file its attributes) for as long as the file is open, whatever the platform forgets meanwhile.
/// </summary>
public sealed partial class PortablePassthroughFileSystem
{
    public Errno Open(in RequestContext context, ulong node, int flags, out OpenedFile file)
    {
        file = default;

        // A file whose name is gone cannot be opened again: no portable call opens a file but by its name.
        if (_tree.Find(node) is not { } found || _tree.BackingPathOf(found) is not { } path)
        {
            return Errno.ENOENT;
        }

        var type = BackingAttributes.TypeOf(new FileInfo(path));
        if (type is 0 or FileModes.Directory)
        {
            return type == 0 ? Errno.ENOENT : Errno.EISDIR; // .NET opens no directory as a file
        }

        var error = OpenStream(path, flags & ~OpenFlags.Create, 0, out var stream);
        return error != Errno.Success ? error : AddFile(found, stream, flags, out file);
    }

    public Errno Create(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, int flags, uint mode, out EntryInfo entry, out OpenedFile file)
    {
        entry = default;
        file = default;
        var error = FindInWritableDirectory(parent, name, out var directory, out var backing, out _);
        if (error != Errno.Success)
        {
            return error;
        }

        var type = backing.Type;
        if (type != 0 && (flags & OpenFlags.Exclusive) != 0)
        {
            return Errno.EEXIST;
        }

        if (type == FileModes.Directory)
        {
            return Errno.EISDIR;
        }

        error = OpenStream(backing.Path, flags | OpenFlags.Create, mode, out var stream);
        if (error != Errno.Success)
        {
            return error;
        }

        error = Count(directory, backing.Spelling, new FileInfo(backing.Path), out entry);
        if (error != Errno.Success)
        {
            stream.Dispose();
            return error;
        }

        error = _tree.Find(entry.Node) is { } node ? AddFile(node, stream, flags, out file) : Errno.ENOENT;
        if (error != Errno.Success)
        {
            _tree.Forget(entry.Node, 1);
            entry = default;
        }

        return error;
    }

    // Opens path as open(2) flags say: the access mode, O_CREAT (with the mode asked for), O_EXCL, O_TRUNC, O_DSYNC.
    private static Errno OpenStream(string path, int flags, uint mode, out FileStream stream)
    {
        stream = null!;
        FileAccess access;
        switch (flags & OpenFlags.AccessMode)
        {
            case OpenFlags.ReadOnly:
                access = FileAccess.Read;
                break;
            case OpenFlags.WriteOnly:
                access = FileAccess.Write;
                break;
            case OpenFlags.ReadWrite:
                access = FileAccess.ReadWrite;
                break;
            default:
                return Errno.EINVAL;
        }

        // O_TRUNC on a read-only open is left undefined by POSIX and refused by .NET: it is ignored.
        var truncates = (flags & OpenFlags.Truncate) != 0 && access != FileAccess.Read;
        var fileMode = (flags & OpenFlags.Create) == 0 ? truncates ? FileMode.Truncate : FileMode.Open
            : (flags & OpenFlags.Exclusive) != 0 ? FileMode.CreateNew
            : truncates ? FileMode.Create
            : FileMode.OpenOrCreate;
        try
        {
            stream = CreateFile(path, fileMode, access, flags, mode);
            return Errno.Success;
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            return BackingError.From(e);
        }
    }

    // The one place files are opened. Sharing everything, delete included, lets other opens, renames and unlinks
    // proceed as on POSIX (on Unix, .NET then takes only a shared advisory lock). A new file gets the mode asked for,
    // less the process umask, as open(2) gives it; Windows has no modes. No buffer: all I/O goes through RandomAccess.
    private static FileStream CreateFile(string path, FileMode fileMode, FileAccess access, int flags, uint mode)
    {
        var options = new FileStreamOptions
        {
            Mode = fileMode,
            Access = access,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
            Options = (flags & OpenFlags.DataSync) != 0 ? FileOptions.WriteThrough : FileOptions.None,
        };
        if (!OperatingSystem.IsWindows() && fileMode is not (FileMode.Open or FileMode.Truncate))
        {
            options.UnixCreateMode = (UnixFileMode)(mode & PermissionBits);
        }

        return new FileStream(path, options);
    }

    // Gives an open file its handle, and its node the open's lookup; closes it when either cannot be had.
    private Errno AddFile(PortableNode node, FileStream stream, int flags, out OpenedFile file)
    {
        file = default;
        if (!_tree.CountAgain(node))
        {
            stream.Dispose();
            return Errno.ENOENT;
        }

        if (!_handles.TryRent(out var handle))
        {
            stream.Dispose();
            _tree.Forget(node.Id, 1);
            return Errno.EMFILE;
        }

        var access = flags & OpenFlags.AccessMode;
        var opened = new PortableFile(node, stream, access != OpenFlags.WriteOnly, access != OpenFlags.ReadOnly, (flags & OpenFlags.Append) != 0);
        _files.Set(handle, opened);
        file = new OpenedFile(handle, DirectIo: false); // the mount decides, as for the Linux passthrough
        return Errno.Success;
    }
}
