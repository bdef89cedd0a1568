using System.Text;
using System.Text.Unicode;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// Names: making files, directories and symbolic links, removing them, reading links (renames have their own part).
/// Each checks first what POSIX would refuse (an existing name, a directory where a file is removed), because the
/// portable calls either do something else there (<see cref="Directory.CreateDirectory(string)"/> succeeds on an
/// existing directory, <see cref="File.Delete"/> on a missing file) or fail with an exception that does not say which
/// rule broke. A change made by another program between the check and the call can still slip through.
/// </summary>
public sealed partial class PortablePassthroughFileSystem
{
    private const uint PermissionBits = 0xFFF;
    private const uint WriteBits = 0x92; // 0222

    public Errno MakeNode(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, uint rdev, out EntryInfo entry)
    {
        entry = default;

        // FIFOs, sockets and devices have no portable call: EPERM, as mknod(2) answers where they cannot be made.
        if ((mode & FileModes.TypeMask) is not (0 or FileModes.RegularFile))
        {
            return Errno.EPERM;
        }

        return Make(parent, name, path => CreateFile(path, FileMode.CreateNew, FileAccess.Write, OpenFlags.WriteOnly, mode).Dispose(), out entry);
    }

    public Errno MakeDirectory(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, out EntryInfo entry) =>
        Make(parent, name, path => CreateDirectory(path, mode), out entry);

    public Errno Symlink(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out EntryInfo entry)
    {
        entry = default;
        if (target.IsEmpty)
        {
            return Errno.ENOENT; // as symlink(2)
        }

        if (!Utf8.IsValid(target) || target.Contains((byte)0))
        {
            return Errno.EINVAL;
        }

        var text = Encoding.UTF8.GetString(target);
        var error = Make(parent, name, path => CreateSymbolicLink(path, text), out entry);

        // A store without symbolic links (FAT), or Windows without the privilege to make them.
        return error == Errno.EOPNOTSUPP ? Errno.EPERM : error;
    }

    /// <summary>No portable call makes a hard link: EPERM, as link(2) answers on a filesystem without them.</summary>
    public Errno Link(ulong node, ulong newParent, ReadOnlySpan<byte> newName, out EntryInfo entry)
    {
        entry = default;
        return _tree.Find(node) is null ? Errno.ENOENT : Errno.EPERM;
    }

    public Errno ReadLink(ulong node, Span<byte> target, out int length)
    {
        length = 0;
        if (_tree.Find(node) is not { } found || _tree.BackingPathOf(found) is not { } path)
        {
            return Errno.ENOENT;
        }

        try
        {
            var info = new FileInfo(path);
            var type = BackingAttributes.TypeOf(info);
            if (type != FileModes.SymbolicLink)
            {
                return type == 0 ? Errno.ENOENT : Errno.EINVAL; // readlink(2) of what is not a link
            }

            var text = info.LinkTarget ?? "";
            var bytes = Encoding.UTF8.GetBytes(OperatingSystem.IsWindows() ? text.Replace('\\', '/') : text);
            length = Math.Min(bytes.Length, target.Length); // readlink(2) truncates to the buffer
            bytes.AsSpan(0, length).CopyTo(target);
            return Errno.Success;
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            return BackingError.From(e);
        }
    }

    public Errno Unlink(ulong parent, ReadOnlySpan<byte> name)
    {
        var error = FindExisting(parent, name, out var directory, out var existing);
        if (error != Errno.Success)
        {
            return error;
        }

        var type = existing.Type;
        if (type == FileModes.Directory)
        {
            return Errno.EISDIR;
        }

        try
        {
            var attributes = existing.Info.Attributes;
            if (type == FileModes.SymbolicLink && (attributes & FileAttributes.Directory) != 0)
            {
                Directory.Delete(existing.Path); // a link to a directory is a directory to Windows; only the link goes
            }
            else
            {
                // POSIX removes a name whatever the file's permissions; Windows refuses to delete a READONLY file.
                if (OperatingSystem.IsWindows() && (attributes & FileAttributes.ReadOnly) != 0)
                {
                    File.SetAttributes(existing.Path, attributes & ~FileAttributes.ReadOnly);
                }

                File.Delete(existing.Path);
            }
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            return BackingError.From(e);
        }

        _tree.Detach(directory, existing.Spelling);
        return Errno.Success;
    }

    public Errno RemoveDirectory(ulong parent, ReadOnlySpan<byte> name)
    {
        var error = FindExisting(parent, name, out var directory, out var existing);
        if (error != Errno.Success)
        {
            return error;
        }

        if (existing.Type != FileModes.Directory)
        {
            return Errno.ENOTDIR;
        }

        try
        {
            Directory.Delete(existing.Path, recursive: false); // ENOTEMPTY comes back as the IOException's code
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            return BackingError.From(e);
        }

        _tree.Detach(directory, existing.Spelling);
        return Errno.Success;
    }

    // The existing entry name names in a directory node that names may be removed from.
    private Errno FindExisting(ulong parent, ReadOnlySpan<byte> name, out PortableNode directory, out BackingEntry existing)
    {
        existing = default;
        var error = WritableDirectory(parent, out directory);
        if (error != Errno.Success)
        {
            return error;
        }

        error = BackingName.DecodeEntry(name, out var text);
        if (error != Errno.Success)
        {
            return error;
        }

        error = FindEntry(directory, text, out existing);
        return error != Errno.Success ? error : existing.Type == 0 ? Errno.ENOENT : Errno.Success;
    }

    // Where name, a name to be made or replaced in parent, is in the backing store, and whether parent may change.
    private Errno FindInWritableDirectory(ulong parent, ReadOnlySpan<byte> name, out PortableNode directory, out BackingEntry backing, out string text)
    {
        backing = default;
        text = "";
        var error = WritableDirectory(parent, out directory);
        if (error == Errno.Success)
        {
            error = BackingName.DecodeEntry(name, out text);
        }

        return error == Errno.Success ? FindEntry(directory, text, out backing) : error;
    }

    // mknod, mkdir and symlink: refuse an existing name, make the new one, count its lookup.
    private Errno Make(ulong parent, ReadOnlySpan<byte> name, Action<string> make, out EntryInfo entry)
    {
        entry = default;
        var error = FindInWritableDirectory(parent, name, out var directory, out var backing, out _);
        if (error != Errno.Success)
        {
            return error;
        }

        if (backing.Type != 0)
        {
            return Errno.EEXIST;
        }

        try
        {
            make(backing.Path);
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            return BackingError.From(e);
        }

        return Count(directory, backing.Spelling, new FileInfo(backing.Path), out entry);
    }

    // mkdir with the mode asked for (the process umask applies, as it does to mkdir(2)); Windows has no modes.
    private static void CreateDirectory(string path, uint mode)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, (UnixFileMode)(mode & PermissionBits));
        }
    }

    // Windows keeps two kinds of symbolic link, to a file and to a directory, and wants backslashes in a relative
    // target: the kind follows what the target is now (a dangling link is a file link).
    private static void CreateSymbolicLink(string path, string target)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.CreateSymbolicLink(path, target);
            return;
        }

        var windowsTarget = target.Replace('/', '\\');
        if (Directory.Exists(Path.Combine(Path.GetDirectoryName(path)!, windowsTarget)))
        {
            Directory.CreateSymbolicLink(path, windowsTarget);
        }
        else
        {
            File.CreateSymbolicLink(path, windowsTarget);
        }
    }
}
