using ThrottleFs.FileSystem;

namespace ThrottleFs.Control;

/// <summary>
/// Passes a listing from the filesystem below on to the reply, leaving out what must not reach the kernel: at the
/// mount root, a backing entry of the control directory's name (the control directory shadows it); anywhere, a
/// READDIRPLUS entry whose node id strays into the layers' range (<see cref="FileSystemIds"/>), which would be taken
/// for a control node. The lookup such an entry counted is given back at once.
/// </summary>
internal sealed class FilteringDirectoryWriter(IDirectoryWriter writer, ControlDirectory control, IFileSystem inner, bool root) : IDirectoryWriter
{
    /// <summary>Entries passed on to the reply.</summary>
    public int Added { get; private set; }

    public bool WantsAttributes => writer.WantsAttributes;

    public bool TryAdd(ReadOnlySpan<byte> name, ulong inode, uint type, long nextOffset, in EntryInfo entry)
    {
        var strays = WantsAttributes && entry.Node != 0 && !FileSystemIds.IsFileSystemNode(entry.Node);
        if (!strays && !(root && control.IsName(name)))
        {
            var added = writer.TryAdd(name, inode, type, nextOffset, entry);
            Added += added ? 1 : 0;
            return added;
        }

        if (WantsAttributes && entry.Node != 0)
        {
            inner.Forget(entry.Node, 1);
        }

        return true;
    }
}
