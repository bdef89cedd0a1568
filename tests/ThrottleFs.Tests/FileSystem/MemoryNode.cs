using ThrottleFs.FileSystem;

namespace ThrottleFs.Tests.FileSystem;

/// <summary>
/// One file, directory or symbolic link of an <see cref="InMemoryFileSystem"/>: its inode, mode, owner, times and
/// content, its names (hard links), and its node id while the kernel knows it. Guarded by the filesystem's lock.
/// </summary>
internal sealed class MemoryNode(ulong inode, uint mode, uint uid, uint gid, MemoryTime now)
{
    /// <summary>The inode number, fixed for the node's life; the node id is separate and only lives while looked up.</summary>
    public ulong Inode { get; } = inode;

    /// <summary>Type and permission bits, as <c>stat</c> has them.</summary>
    public uint Mode { get; set; } = mode;

    public uint Uid { get; set; } = uid;

    public uint Gid { get; set; } = gid;

    public MemoryTime Accessed { get; set; } = now;

    public MemoryTime Modified { get; set; } = now;

    public MemoryTime Changed { get; set; } = now;

    /// <summary>A regular file's bytes.</summary>
    public byte[] Data { get; set; } = [];

    /// <summary>A symbolic link's target.</summary>
    public byte[] Target { get; init; } = [];

    /// <summary>A directory's entries by name, each with the readdir offset that follows it.</summary>
    public Dictionary<string, MemoryEntry> Children { get; } = new(StringComparer.Ordinal);

    /// <summary>The offset the next entry added to a directory gets (1 and 2 are "." and "..").</summary>
    public long NextCookie { get; set; } = 3;

    /// <summary>The names the node has, oldest first; the first is its path. Empty once unlinked.</summary>
    public List<(MemoryNode Parent, string Name)> Links { get; } = [];

    public Dictionary<string, byte[]> ExtendedAttributes { get; } = new(StringComparer.Ordinal);

    /// <summary>The node id the kernel knows it by, or 0 while it knows it not.</summary>
    public ulong Id { get; set; }

    /// <summary>Lookups counted and not yet forgotten.</summary>
    public ulong Lookups { get; set; }

    public uint Type => Mode & FileModes.TypeMask;

    public bool IsDirectory => Type == FileModes.Directory;

    public bool IsRegularFile => Type == FileModes.RegularFile;

    public bool IsSymbolicLink => Type == FileModes.SymbolicLink;

    /// <summary>The directory holding the node's first name, or null for the root and unlinked nodes.</summary>
    public MemoryNode? Parent => Links.Count > 0 ? Links[0].Parent : null;

    public ulong Size => IsRegularFile ? (ulong)Data.Length : IsSymbolicLink ? (ulong)Target.Length : 4096;

    /// <summary>Whether <paramref name="node"/> is this directory or lies below it.</summary>
    public bool Contains(MemoryNode node)
    {
        for (var current = node; current is not null; current = current.Parent)
        {
            if (current == this)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Adds <paramref name="child"/> under <paramref name="name"/>, after every entry listed so far.</summary>
    public void Add(string name, MemoryNode child, MemoryTime now)
    {
        Children.Add(name, new MemoryEntry(child, NextCookie++));
        child.Links.Add((this, name));
        Modified = Changed = now;
    }

    /// <summary>Takes the entry <paramref name="name"/> out; the node lives on while it has other names or is known.</summary>
    public MemoryNode Remove(string name, MemoryTime now)
    {
        var child = Children[name].Node;
        Children.Remove(name);
        child.Links.Remove((this, name));
        child.Changed = Modified = Changed = now;
        return child;
    }

    public NodeAttributes Attributes()
    {
        var links = IsDirectory ? 2u + (uint)Children.Values.Count(entry => entry.Node.IsDirectory) : (uint)Links.Count;
        return new NodeAttributes(
            Inode: Inode, Size: Size, Blocks: (Size + 511) / 512,
            AccessSeconds: Accessed.Seconds, AccessNanoseconds: Accessed.Nanoseconds,
            ModifySeconds: Modified.Seconds, ModifyNanoseconds: Modified.Nanoseconds,
            ChangeSeconds: Changed.Seconds, ChangeNanoseconds: Changed.Nanoseconds,
            Mode: Mode, Links: links, Uid: Uid, Gid: Gid, Rdev: 0, BlockSize: 4096);
    }
}

/// <summary>A directory entry: the node, and the readdir offset at which listing resumes after it.</summary>
internal readonly record struct MemoryEntry(MemoryNode Node, long Cookie);

/// <summary>A file time as <c>stat</c> gives it: seconds and nanoseconds since the epoch.</summary>
internal readonly record struct MemoryTime(long Seconds, uint Nanoseconds)
{
    public static MemoryTime From(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return new MemoryTime(ticks / TimeSpan.TicksPerSecond, (uint)(ticks % TimeSpan.TicksPerSecond * 100));
    }
}
