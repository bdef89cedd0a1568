namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// A backing inode the kernel knows about: its identity, the kernel's lookup count, and how to reach it again: its
/// file handle and the descriptor of its mount to open it through (<see cref="FileHandle"/>). A node holds no
/// descriptor of its own; <see cref="NodeDescriptors"/> lends one when a request needs it. This is all the memory a
/// node costs, besides one entry in each of the node table's two dictionaries: a million nodes the kernel holds cost
/// the daemon a few hundred megabytes, not a million descriptors.
/// </summary>
internal sealed class PassthroughNode(ulong id, ulong device, ulong inode, bool isDirectory, byte[]? handle, int mountFd)
{
    public ulong Id { get; } = id;

    public ulong Device { get; } = device;

    public ulong Inode { get; } = inode;

    /// <summary>
    /// The file handle (a <c>struct file_handle</c>); null when the inode has none to use (not root, a filesystem
    /// without handles, the single-file source's made-up directory), and then the node's descriptor stays open for as
    /// long as the node lives, as every node's did before handles.
    /// </summary>
    public byte[]? Handle { get; } = handle;

    /// <summary>A descriptor on the node's mount, to open <see cref="Handle"/> through; -1 without a handle.</summary>
    public int MountFd { get; } = mountFd;

    public bool IsDirectory { get; } = isDirectory;

    /// <summary>
    /// Moves on after every change to the file's data made through the mount (write, truncate, fallocate, copy into
    /// it), so a <see cref="ReadAhead"/> taken before it is not served. A field, for Interlocked.
    /// </summary>
    public long DataVersion;

    /// <summary>The file's data changed: called once the change is done, before it is acknowledged.</summary>
    public void DataChanged() => Interlocked.Increment(ref DataVersion);

    /// <summary>The single-file source's made-up root directory: no backing inode, no descriptor.</summary>
    public bool IsVirtual { get; init; }

    /// <summary>Lookups the kernel holds; guarded by the node table's lock.</summary>
    public ulong Lookups { get; set; }

    /// <summary>The node's entry in <see cref="NodeDescriptors"/>, -1 when it has no descriptor open; guarded by its lock.</summary>
    public int Slot { get; set; } = -1;

    /// <summary>The kernel has forgotten the node: it gets no cached descriptor any more. Guarded by the descriptors' lock.</summary>
    public bool Forgotten { get; set; }

    /// <summary>
    /// Known to have no set-id bits and no file capabilities, so an unprivileged write has nothing to remove. Set by
    /// <see cref="PassthroughFileSystem.RemovePrivileges"/>; cleared by anything that may give them back (an open,
    /// which also notices changes made behind the mount; chmod, chown, setting or removing an attribute).
    /// </summary>
    public volatile bool HasNoPrivileges;
}
