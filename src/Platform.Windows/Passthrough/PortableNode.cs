namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// A name the kernel knows, as a place in the tree: its parent and its name there (as the backing store spells it),
/// from which its path is derived (go-fuse's loopback does the same), so a rename through us moves it and everything
/// below it at once. No portable API names a file by identity (there is no handle to reopen it by, no inode number),
/// so the node is its path. Every field but <see cref="Id"/> is guarded by the <see cref="PortableNodeTree"/>'s lock.
/// </summary>
internal sealed class PortableNode(ulong id, PortableNode? parent, string name)
{
    private Lock? _appends;

    public ulong Id { get; } = id;

    /// <summary>The directory the node is in; null for the root and for a node whose name was removed (detached).</summary>
    public PortableNode? Parent { get; set; } = parent;

    /// <summary>The node's name in <see cref="Parent"/>, as the backing store spells it; "" for the root.</summary>
    public string Name { get; set; } = name;

    /// <summary>Lookups the kernel holds.</summary>
    public ulong Lookups { get; set; }

    /// <summary>The nodes known below this one, by name; null until there is one.</summary>
    public Dictionary<string, PortableNode>? Children { get; set; }

    /// <summary>Whether the name was removed through us (unlinked, removed, replaced by a rename): it has no path.</summary>
    public bool IsDetached { get; set; }

    /// <summary>
    /// Serializes the appending writes to this file (O_APPEND), so that each lands whole at the end even when several
    /// handles append at once: finding the end and writing there must be one step. Made on first need, as few files
    /// are appended to.
    /// </summary>
    public Lock Appends => LazyInitializer.EnsureInitialized(ref _appends);
}
