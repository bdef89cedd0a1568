namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// A backing inode the kernel knows about: an O_PATH descriptor (which follows the inode through renames and
/// keeps it alive after an unlink), its identity, and the kernel's lookup count.
/// </summary>
internal sealed class PassthroughNode(ulong id, int fd, ulong device, ulong inode, bool isDirectory)
{
    public ulong Id { get; } = id;

    /// <summary>O_PATH descriptor; -1 for the virtual directory around a single-file source.</summary>
    public int Fd { get; } = fd;

    public ulong Device { get; } = device;

    public ulong Inode { get; } = inode;

    public bool IsDirectory { get; } = isDirectory;

    /// <summary>Lookups the kernel holds; guarded by the node table's lock.</summary>
    public ulong Lookups { get; set; }

    /// <summary>
    /// Known to have no set-id bits and no file capabilities, so an unprivileged write has nothing to remove. Set by
    /// <see cref="PassthroughFileSystem.RemovePrivileges"/>; cleared by anything that may give them back (an open,
    /// which also notices changes made behind the mount; chmod, chown, setting or removing an attribute).
    /// </summary>
    public volatile bool HasNoPrivileges;
}
