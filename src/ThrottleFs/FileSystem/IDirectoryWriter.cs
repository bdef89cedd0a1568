namespace ThrottleFs.FileSystem;

/// <summary>Receives directory entries for one readdir reply until it is full.</summary>
public interface IDirectoryWriter
{
    /// <summary>Whether entries carry attributes and count as lookups (READDIRPLUS).</summary>
    bool WantsAttributes { get; }

    /// <summary>
    /// Adds an entry. <paramref name="nextOffset"/> is where reading resumes after it. With
    /// <see cref="WantsAttributes"/>, <paramref name="entry"/> is the looked-up node (node 0 for "." and "..",
    /// which count no lookup). Returns false, adding nothing, when the reply is full.
    /// </summary>
    bool TryAdd(ReadOnlySpan<byte> name, ulong inode, uint type, long nextOffset, in EntryInfo entry);
}
