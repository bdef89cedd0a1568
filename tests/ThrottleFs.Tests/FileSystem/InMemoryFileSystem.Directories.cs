using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Tests.FileSystem;

/// <summary>
/// Directories: open, list, fsync, release. A listing is ".", "..", then the entries in the order they were added;
/// each entry's offset is where listing resumes after it (1 and 2 for the dots, then 3, 4, ... for entries, never
/// reused), so a listing read in several replies neither repeats nor skips an entry as others come and go.
/// </summary>
internal sealed partial class InMemoryFileSystem
{
    public Errno OpenDirectory(ulong node, out OpenedFile directory)
    {
        directory = default;
        lock (_lock)
        {
            var error = Directory(node, out var found);
            if (error == Errno.Success)
            {
                error = Rent(new OpenNode(found, ReadOnly, IsDirectory: true), out var handle);
                directory = error == Errno.Success ? new OpenedFile(handle, DirectIo: false) : default;
            }

            return error;
        }
    }

    /// <summary>
    /// Adds entries from <paramref name="offset"/> until the writer is full. With attributes (READDIRPLUS), each real
    /// entry counts a lookup, given back at once if the writer has no room for it; "." and ".." carry node 0.
    /// </summary>
    public Errno ReadDirectory(ulong handle, long offset, IDirectoryWriter writer)
    {
        lock (_lock)
        {
            var error = OpenOf(handle, out var open);
            error = error != Errno.Success ? error : !open.IsDirectory ? Errno.ENOTDIR : offset < 0 ? Errno.EINVAL : Errno.Success;
            if (error != Errno.Success)
            {
                return error;
            }

            var directory = open.Node;
            var dots = new (string Name, MemoryNode Node, long Cookie)[] { (".", directory, 1), ("..", directory.Parent ?? _root, 2) };
            foreach (var (name, node, cookie) in dots)
            {
                var dot = new EntryInfo(0, default(NodeAttributes) with { Inode = node.Inode, Mode = FileModes.Directory });
                if (cookie > offset && !writer.TryAdd(Encoding.UTF8.GetBytes(name), node.Inode, FileModes.EntryType(FileModes.Directory), cookie, dot))
                {
                    return Errno.Success;
                }
            }

            // A snapshot: the writer may call back into this filesystem (a layer forgetting an entry it hides).
            foreach (var (name, (child, cookie)) in directory.Children.Where(pair => pair.Value.Cookie > offset).OrderBy(pair => pair.Value.Cookie).ToList())
            {
                var entry = writer.WantsAttributes ? Count(child) : default;
                if (!writer.TryAdd(Encoding.UTF8.GetBytes(name), child.Inode, FileModes.EntryType(child.Mode), cookie, entry))
                {
                    if (writer.WantsAttributes)
                    {
                        Forget(entry.Node, 1);
                    }

                    break;
                }
            }

            open.Node.Accessed = Now();
            return Errno.Success;
        }
    }

    public Errno ReleaseDirectory(ulong handle)
    {
        lock (_lock)
        {
            var error = OpenOf(handle, out var open);
            error = error != Errno.Success ? error : !open.IsDirectory ? Errno.ENOTDIR : Errno.Success;
            return error == Errno.Success ? Close(handle) : error;
        }
    }

    public Errno FsyncDirectory(ulong handle, bool dataOnly)
    {
        lock (_lock)
        {
            var error = OpenOf(handle, out var open);
            return error != Errno.Success ? error : !open.IsDirectory ? Errno.ENOTDIR : Errno.Success;
        }
    }
}
