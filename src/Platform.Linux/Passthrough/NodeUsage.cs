namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>What the passthrough holds at one moment: nodes and descriptors, as the debug log reports them.</summary>
/// <param name="Nodes">Nodes the kernel knows, the root included.</param>
/// <param name="NodeDescriptors">Node descriptors open: idle in the cache, lent to a request, or pinned by an open file or directory.</param>
/// <param name="IdleDescriptors">Of those, the ones nobody uses, which the cache may close.</param>
/// <param name="Held">Every descriptor the passthrough holds: node descriptors, open files and directories, mounts.</param>
/// <param name="Ceiling">How many it may hold before an open is refused (EMFILE).</param>
/// <param name="Limit">The process's open-file limit.</param>
internal readonly record struct NodeUsage(int Nodes, int NodeDescriptors, int IdleDescriptors, long Held, long Ceiling, long Limit);
