using System.Collections.Concurrent;
using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// The backing inodes the kernel knows, by node id and by (device, inode), with the kernel's lookup count: a name
/// looked up twice, or two hard links to one inode, are one node. A node and its O_PATH descriptor live until the
/// kernel forgets its last lookup. Ids count up from 2 and are never reused, so a stale id cannot reach another file.
/// Finding a node, which every request does, takes no lock; adding and forgetting are serialized.
/// </summary>
internal sealed class NodeTable : IDisposable
{
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<ulong, PassthroughNode> _nodes = new();
    private readonly Dictionary<(ulong Device, ulong Inode), PassthroughNode> _byInode = [];
    private ulong _nextId = FileSystemIds.Root + 1;

    /// <summary>Adds the root, which the kernel never forgets.</summary>
    public void AddRoot(PassthroughNode root)
    {
        root.Lookups = 1;
        lock (_lock)
        {
            _nodes[root.Id] = root;
            if (root.Fd >= 0)
            {
                _byInode.Add((root.Device, root.Inode), root);
            }
        }
    }

    public PassthroughNode? Find(ulong node) => _nodes.GetValueOrDefault(node);

    /// <summary>
    /// Counts one lookup of the inode <paramref name="fd"/> (an O_PATH descriptor, which this takes over) names: its
    /// node if known, and the descriptor is closed, or a new node holding it. Null when the ids are used up.
    /// </summary>
    public PassthroughNode? Register(int fd, ulong device, ulong inode, bool isDirectory)
    {
        PassthroughNode? node;
        var known = false;
        lock (_lock)
        {
            if (_byInode.TryGetValue((device, inode), out node))
            {
                known = true;
            }
            else if (_nextId < FileSystemIds.FirstLayerNode)
            {
                node = new PassthroughNode(_nextId++, fd, device, inode, isDirectory);
                _nodes[node.Id] = node;
                _byInode.Add((device, inode), node);
            }

            if (node is not null)
            {
                node.Lookups++;
            }
        }

        if (node is null || known)
        {
            Close(fd);
        }

        return node;
    }

    /// <summary>Gives back <paramref name="lookups"/> of a node's; at zero, the node goes and its descriptor is closed.</summary>
    public void Forget(ulong node, ulong lookups)
    {
        PassthroughNode? dead = null;
        lock (_lock)
        {
            if (node == FileSystemIds.Root || !_nodes.TryGetValue(node, out var found))
            {
                return;
            }

            found.Lookups = found.Lookups > lookups ? found.Lookups - lookups : 0;
            if (found.Lookups == 0)
            {
                _nodes.TryRemove(node, out _);
                _byInode.Remove((found.Device, found.Inode));
                dead = found;
            }
        }

        if (dead is not null)
        {
            Close(dead.Fd);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var node in _nodes.Values.Where(n => n.Fd >= 0))
            {
                Close(node.Fd);
            }

            _nodes.Clear();
            _byInode.Clear();
        }
    }
}
