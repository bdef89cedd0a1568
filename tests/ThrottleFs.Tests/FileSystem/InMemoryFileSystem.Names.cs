using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Tests.FileSystem;

/// <summary>Names: mknod, mkdir, symlink, link, readlink, unlink, rmdir and rename, with the errors Linux gives.</summary>
internal sealed partial class InMemoryFileSystem
{
    /// <summary>Regular files only (mode type 0 or <c>S_IFREG</c>); devices, FIFOs and sockets get EPERM.</summary>
    public Errno MakeNode(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, uint rdev, out EntryInfo entry)
    {
        var type = mode & FileModes.TypeMask;
        return type is 0 or FileModes.RegularFile
            ? Make(context, parent, name, FileModes.RegularFile | (mode & 0xFFF), [], out entry)
            : Refuse(Errno.EPERM, out entry);
    }

    public Errno MakeDirectory(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, out EntryInfo entry) =>
        Make(context, parent, name, FileModes.Directory | (mode & 0xFFF), [], out entry);

    public Errno Symlink(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out EntryInfo entry) =>
        Make(context, parent, name, FileModes.SymbolicLink | 0x1FF, target.ToArray(), out entry);

    public Errno Link(ulong node, ulong newParent, ReadOnlySpan<byte> newName, out EntryInfo entry)
    {
        entry = default;
        lock (_lock)
        {
            var error = Find(node, out var found);
            if (error == Errno.Success && found.IsDirectory)
            {
                error = Errno.EPERM; // no hard links to directories
            }

            if (error == Errno.Success)
            {
                error = NewName(newParent, newName, out var directory, out var text);
                if (error == Errno.Success)
                {
                    directory.Add(text, found, Now());
                    found.Changed = Now();
                    entry = Count(found);
                }
            }

            return error;
        }
    }

    /// <summary>Copies the target, cut to fit as readlink(2) does, and returns the length copied.</summary>
    public Errno ReadLink(ulong node, Span<byte> target, out int length)
    {
        length = 0;
        lock (_lock)
        {
            var error = Find(node, out var found);
            if (error != Errno.Success)
            {
                return error;
            }

            if (!found.IsSymbolicLink)
            {
                return Errno.EINVAL;
            }

            length = Math.Min(target.Length, found.Target.Length);
            found.Target.AsSpan(0, length).CopyTo(target);
            return Errno.Success;
        }
    }

    public Errno Unlink(ulong parent, ReadOnlySpan<byte> name)
    {
        lock (_lock)
        {
            var error = ExistingName(parent, name, out var directory, out var text, out var child);
            if (error == Errno.Success && child.IsDirectory)
            {
                error = Errno.EISDIR;
            }

            if (error == Errno.Success)
            {
                directory.Remove(text, Now());
            }

            return error;
        }
    }

    public Errno RemoveDirectory(ulong parent, ReadOnlySpan<byte> name)
    {
        lock (_lock)
        {
            var text = Encoding.UTF8.GetString(name);
            if (text is "." or "..")
            {
                return Find(parent, out _) != Errno.Success ? Errno.ENOENT : text == "." ? Errno.EINVAL : Errno.ENOTEMPTY;
            }

            var error = ExistingName(parent, name, out var directory, out _, out var child);
            error = error != Errno.Success ? error
                : !child.IsDirectory ? Errno.ENOTDIR
                : child.Children.Count > 0 ? Errno.ENOTEMPTY
                : Errno.Success;
            if (error == Errno.Success)
            {
                directory.Remove(text, Now());
            }

            return error;
        }
    }

    public Errno Rename(ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, RenameFlags flags)
    {
        lock (_lock)
        {
            if ((flags & RenameFlags.Whiteout) != 0 || flags == (RenameFlags.NoReplace | RenameFlags.Exchange))
            {
                return Errno.EINVAL;
            }

            var error = ExistingName(parent, name, out var from, out var fromName, out var moved);
            if (error != Errno.Success)
            {
                return error;
            }

            error = Directory(newParent, out var to);
            if (error != Errno.Success)
            {
                return error;
            }

            var toName = Encoding.UTF8.GetString(newName);
            if (toName is "" or "." or ".." || toName.Length > NameMax)
            {
                return toName.Length > NameMax ? Errno.ENAMETOOLONG : Errno.EBUSY;
            }

            var replaced = to.Children.TryGetValue(toName, out var existing) ? existing.Node : null;
            if (replaced == moved)
            {
                return Errno.Success; // two names of one file: nothing to do
            }

            if ((flags & RenameFlags.Exchange) != 0)
            {
                return replaced is null ? Errno.ENOENT : Exchange(from, fromName, moved, to, toName, replaced);
            }

            error = replaced is null ? Errno.Success
                : (flags & RenameFlags.NoReplace) != 0 ? Errno.EEXIST
                : moved.IsDirectory && !replaced.IsDirectory ? Errno.ENOTDIR
                : !moved.IsDirectory && replaced.IsDirectory ? Errno.EISDIR
                : replaced.Children.Count > 0 ? Errno.ENOTEMPTY
                : Errno.Success;
            if (error == Errno.Success && moved.IsDirectory && moved.Contains(to))
            {
                error = Errno.EINVAL; // into itself
            }

            if (error == Errno.Success)
            {
                var now = Now();
                if (replaced is not null)
                {
                    to.Remove(toName, now);
                }

                from.Remove(fromName, now);
                to.Add(toName, moved, now);
            }

            return error;
        }
    }

    private Errno Exchange(MemoryNode from, string fromName, MemoryNode first, MemoryNode to, string toName, MemoryNode second)
    {
        if ((first.IsDirectory && first.Contains(to)) || (second.IsDirectory && second.Contains(from)))
        {
            return Errno.EINVAL;
        }

        var now = Now();
        from.Remove(fromName, now);
        to.Remove(toName, now);
        from.Add(fromName, second, now);
        to.Add(toName, first, now);
        return Errno.Success;
    }

    private Errno Make(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, byte[] target, out EntryInfo entry)
    {
        entry = default;
        lock (_lock)
        {
            var error = NewName(parent, name, out var directory, out var text);
            if (error != Errno.Success)
            {
                return error;
            }

            // A set-group-id directory hands its group down, as on Linux.
            var gid = (directory.Mode & FileModes.SetGroupId) != 0 ? directory.Gid : context.Gid;
            var node = new MemoryNode(_nextInode++, mode, context.Uid, gid, Now()) { Target = target };
            directory.Add(text, node, Now());
            entry = Count(node);
            return Errno.Success;
        }
    }

    // A name that must not exist yet in the directory `parent`.
    private Errno NewName(ulong parent, ReadOnlySpan<byte> name, out MemoryNode directory, out string text)
    {
        text = Encoding.UTF8.GetString(name);
        var error = Directory(parent, out directory);
        return error != Errno.Success ? error
            : text.Length == 0 ? Errno.ENOENT
            : text.Length > NameMax ? Errno.ENAMETOOLONG
            : text.Contains('/', StringComparison.Ordinal) ? Errno.EINVAL
            : text is "." or ".." || directory.Children.ContainsKey(text) ? Errno.EEXIST
            : Errno.Success;
    }

    // A name that must exist in the directory `parent`.
    private Errno ExistingName(ulong parent, ReadOnlySpan<byte> name, out MemoryNode directory, out string text, out MemoryNode child)
    {
        text = Encoding.UTF8.GetString(name);
        child = null!;
        var error = Directory(parent, out directory);
        if (error != Errno.Success)
        {
            return error;
        }

        if (!directory.Children.TryGetValue(text, out var entry))
        {
            return text.Length > NameMax ? Errno.ENAMETOOLONG : Errno.ENOENT;
        }

        child = entry.Node;
        return Errno.Success;
    }

    private static Errno Refuse(Errno error, out EntryInfo entry)
    {
        entry = default;
        return error;
    }
}
