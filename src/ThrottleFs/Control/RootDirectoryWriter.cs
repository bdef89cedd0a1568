using ThrottleFs.FileSystem;

namespace ThrottleFs.Control;

/// <summary>
/// Lists the mount root with the control directory in it: a backing entry of the control directory's name is left
/// out (the control directory shadows it), and its lookup, counted by READDIRPLUS, is given back at once since it
/// never reaches the kernel.
/// </summary>
internal sealed class RootDirectoryWriter(IDirectoryWriter writer, ControlDirectory control, IFileSystem inner) : IDirectoryWriter
{
    /// <summary>Entries passed on to the reply.</summary>
    public int Added { get; private set; }

    public bool WantsAttributes => writer.WantsAttributes;

    public bool TryAdd(ReadOnlySpan<byte> name, ulong inode, uint type, long nextOffset, in EntryInfo entry)
    {
        if (!control.IsName(name))
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
