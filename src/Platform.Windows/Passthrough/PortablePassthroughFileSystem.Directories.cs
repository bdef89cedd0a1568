using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// Directories: a listing is read whole, with every entry's status, when the directory is opened
/// (<see cref="PortableDirectory"/>), and handed out from there: "." and ".." first, then the entries, each offset the position after it. With attributes
/// (READDIRPLUS, and every Dokan listing) each entry handed out counts a lookup, given back when the reply is full
/// before it fits. An open directory holds one lookup of its node, so the entries' nodes have a path to hang from.
/// </summary>
public sealed partial class PortablePassthroughFileSystem
{
    // 255 UTF-16 units are at most 765 UTF-8 bytes; a Unix name that is not UTF-8 never gets this far (BackingListing).
    private const int MaxNameBytes = 1024;
    private static readonly uint DirectoryType = FileModes.EntryType(FileModes.Directory);

    public Errno OpenDirectory(ulong node, out OpenedFile directory)
    {
        directory = default;
        if (_tree.Find(node) is not { } found || _tree.BackingPathOf(found) is not { } path)
        {
            return Errno.ENOENT;
        }

        FileSystemInfo[] entries;
        try
        {
            var error = List(found, path, out entries);
            if (error != Errno.Success)
            {
                return error;
            }
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            return BackingError.From(e);
        }

        if (!_tree.CountAgain(found))
        {
            return Errno.ENOENT;
        }

        if (!_handles.TryRent(out var handle))
        {
            _tree.Forget(found.Id, 1);
            return Errno.EMFILE;
        }

        _directories.Set(handle, new PortableDirectory(found, _tree.ParentOf(found)?.Id ?? found.Id, entries));
        directory = new OpenedFile(handle, DirectIo: false);
        return Errno.Success;
    }

    public Errno ReadDirectory(ulong handle, long offset, IDirectoryWriter writer)
    {
        if (_directories.Get(handle) is not { } directory)
        {
            return Errno.EBADF;
        }

        if (offset < 0)
        {
            return Errno.EINVAL;
        }

        if (offset < 1 && !AddDot(writer, "."u8, directory.Node.Id, 1))
        {
            return Errno.Success;
        }

        if (offset < 2 && !AddDot(writer, ".."u8, directory.ParentId, 2))
        {
            return Errno.Success;
        }

        Span<byte> name = stackalloc byte[MaxNameBytes];
        var entries = directory.Entries;
        for (var i = (int)Math.Min(Math.Max(offset - 2, 0), entries.Length); i < entries.Length; i++)
        {
            var info = entries[i];
            var length = Encoding.UTF8.GetBytes(info.Name, name);
            var next = i + 3L;
            if (!writer.WantsAttributes)
            {
                var type = BackingAttributes.TypeOf(info);
                if (type != 0 && !writer.TryAdd(name[..length], _tree.Known(directory.Node, info.Name)?.Id ?? 0, FileModes.EntryType(type), next, default))
                {
                    return Errno.Success;
                }

                continue;
            }

            // An entry gone before its status could be read is left out.
            if (Count(directory.Node, info.Name, info, out var entry) != Errno.Success)
            {
                continue;
            }

            if (!writer.TryAdd(name[..length], entry.Node, FileModes.EntryType(entry.Attributes.Mode), next, entry))
            {
                _tree.Forget(entry.Node, 1);
                return Errno.Success;
            }
        }

        return Errno.Success;
    }

    public Errno ReleaseDirectory(ulong handle)
    {
        if (_directories.Remove(handle) is not { } directory)
        {
            return Errno.EBADF;
        }

        _tree.Forget(directory.Node.Id, 1);
        _handles.Return(handle);
        return Errno.Success;
    }

    /// <summary>Nothing to do: .NET opens no directory, and what was made in one was made by calls that return when done.</summary>
    public Errno FsyncDirectory(ulong handle, bool dataOnly) => _directories.Get(handle) is null ? Errno.EBADF : Errno.Success;

    // The entries of the directory node at path; the single-file source's root lists the file alone.
    private Errno List(PortableNode node, string path, out FileSystemInfo[] entries)
    {
        entries = [];
        if (IsVirtual(node))
        {
            var file = new FileInfo(Path.Join(path, SingleName));
            entries = BackingAttributes.TypeOf(file) == 0 ? [] : [file];
            return Errno.Success;
        }

        var type = BackingAttributes.TypeOf(new FileInfo(path));
        if (type != FileModes.Directory)
        {
            return type == 0 ? Errno.ENOENT : Errno.ENOTDIR;
        }

        entries = BackingListing.Read(path);
        return Errno.Success;
    }

    // "." and "..": no lookup counted (node 0), as the contract has it.
    private static bool AddDot(IDirectoryWriter writer, ReadOnlySpan<byte> name, ulong inode, long next)
    {
        var entry = writer.WantsAttributes ? new EntryInfo(0, default(NodeAttributes) with { Inode = inode, Mode = FileModes.Directory }) : default;
        return writer.TryAdd(name, inode, DirectoryType, next, entry);
    }
}
