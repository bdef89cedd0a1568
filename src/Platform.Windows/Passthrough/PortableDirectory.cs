namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// One open of a directory: its entries as they were when it was opened. Offsets are positions in this snapshot (0
/// and 1 for "." and "..", then one per entry), so a listing read in several replies neither skips nor repeats an
/// entry whatever changes meanwhile, as POSIX asks of readdir with telldir cookies. The snapshot never changes, so
/// reads on one open need no lock.
/// </summary>
internal sealed class PortableDirectory(PortableNode node, ulong parentId, FileSystemInfo[] entries)
{
    /// <summary>The directory's node; the open holds one lookup of it until it is released.</summary>
    public PortableNode Node { get; } = node;

    /// <summary>The node id ".." reports: the parent's, the root's own for the root.</summary>
    public ulong ParentId { get; } = parentId;

    /// <summary>
    /// The entries, each with the status .NET read for it while listing (on Windows the listing carries it, on Unix
    /// one lstat each), so attributes in a listing are those of the moment it was opened. Reading them again would
    /// double the cost of every Windows listing, which Dokan reads straight after opening the directory.
    /// </summary>
    public FileSystemInfo[] Entries { get; } = entries;
}
