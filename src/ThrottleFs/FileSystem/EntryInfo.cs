namespace ThrottleFs.FileSystem;

/// <summary>
/// The result of finding a name: the node it leads to and its attributes. Every successful lookup, create,
/// mkdir, mknod, symlink and link counts one reference on the node, given back by <see cref="IFileSystem.Forget"/>.
/// </summary>
/// <param name="Node">The node id (1 is the root).</param>
/// <param name="Attributes">The node's attributes.</param>
public readonly record struct EntryInfo(ulong Node, NodeAttributes Attributes);
