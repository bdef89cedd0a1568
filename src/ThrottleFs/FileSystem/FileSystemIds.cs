namespace ThrottleFs.FileSystem;

/// <summary>
/// How node ids and handles are numbered, so that layers stacked on a filesystem can add nodes and handles of their
/// own (the control directory) without asking it. A filesystem keeps its ids below the layer ranges; a layer that
/// claims a range checks that the filesystem under it kept out of it.
/// </summary>
public static class FileSystemIds
{
    /// <summary>The root directory's node id, as FUSE fixes it.</summary>
    public const ulong Root = 1;

    /// <summary>The first node id of the layers' range: a filesystem's node ids stay below it.</summary>
    public const ulong FirstLayerNode = 1UL << 62;

    /// <summary>
    /// The first handle of the layers' range. A filesystem's handles are small integers below it, reused once
    /// released, so a layer can keep per-handle state in an array (<see cref="HandleMap{T}"/>).
    /// </summary>
    public const ulong FirstLayerHandle = 1UL << 20;

    /// <summary>Whether a filesystem may hand out <paramref name="node"/>.</summary>
    public static bool IsFileSystemNode(ulong node) => node is > 0 and < FirstLayerNode;

    /// <summary>Whether a filesystem may hand out <paramref name="handle"/>.</summary>
    public static bool IsFileSystemHandle(ulong handle) => handle < FirstLayerHandle;
}
