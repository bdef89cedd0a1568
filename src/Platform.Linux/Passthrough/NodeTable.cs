using System.Collections.Concurrent;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// The backing inodes the kernel knows, by node id and by (device, inode), with the kernel's lookup count: a name
/// looked up twice, or two hard links to one inode, are one node. A node lives until the kernel forgets its last
/// lookup; it keeps the inode's file handle, not a descriptor (<see cref="PassthroughNode"/>), so the kernel may know
/// millions. Ids count up from 2 and are never reused, so a stale id cannot reach another file. Finding a node, which
/// every request does, takes no lock; adding and forgetting are serialized.
/// </summary>
internal sealed class NodeTable(NodeDescriptors descriptors, BackingMounts mounts)
{
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<ulong, PassthroughNode> _nodes = new();
    private readonly Dictionary<(ulong Device, ulong Inode), PassthroughNode> _byInode = [];
    private ulong _nextId = FileSystemIds.Root + 1;
    private int _count;

    /// <summary>How many nodes the kernel knows, the root included.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Adds the root, which the kernel never forgets, holding <paramref name="fd"/> (an O_PATH descriptor of the
    /// source) for as long as the mount lives; -1 for the single-file source's made-up directory.
    /// </summary>
    public PassthroughNode AddRoot(int fd, in Interop.Sys.StatxBuffer stx, bool isDirectory)
    {
        var root = fd < 0
            ? new PassthroughNode(FileSystemIds.Root, 0, 0, isDirectory: true, handle: null, mountFd: -1) { IsVirtual = true }
            : new PassthroughNode(FileSystemIds.Root, NodeStat.Device(stx), stx.Ino, isDirectory, mounts.HandleOf(fd, isDirectory, out var mountFd), mountFd);
        root.Lookups = 1;
        lock (_lock)
        {
            _nodes[root.Id] = root;
            _count++;
            if (fd >= 0)
            {
                _byInode.Add((root.Device, root.Inode), root);
            }
        }

        if (fd >= 0)
        {
            descriptors.Hold(root, fd);
        }

        return root;
    }

    public PassthroughNode? Find(ulong node) => _nodes.GetValueOrDefault(node);

    /// <summary>
    /// Counts one lookup of the inode <paramref name="fd"/> names (an O_PATH descriptor, reached by name, which this
    /// takes over): its node if known, or a new node with the inode's file handle. The descriptor becomes the node's
    /// cached one (a node without a handle keeps it for life). Null when the ids are used up.
    /// </summary>
    public PassthroughNode? Register(int fd, in Interop.Sys.StatxBuffer stx)
    {
        var key = (NodeStat.Device(stx), stx.Ino);
        var isDirectory = (stx.Mode & Interop.Sys.S_IFMT) == Interop.Sys.S_IFDIR;
        var node = FindAndCount(key);
        byte[]? handle = null;
        var mountFd = -1;
        var held = false;
        if (node is null)
        {
            // New: its handle is read outside the lock, and the table looked at again, in case a lookup of another
            // name of the inode added it meanwhile.
            handle = mounts.HandleOf(fd, isDirectory, out mountFd);
            lock (_lock)
            {
                if (_byInode.TryGetValue(key, out node))
                {
                    node.Lookups++;
                }
                else if (_nextId < FileSystemIds.FirstLayerNode)
                {
                    node = new PassthroughNode(_nextId++, key.Item1, key.Item2, isDirectory, handle, mountFd) { Lookups = 1 };
                    _nodes[node.Id] = node;
                    _byInode.Add(key, node);
                    _count++;
                    if (handle is null)
                    {
                        // Held before another lookup can find the node, so that none caches a descriptor of its own.
                        descriptors.Hold(node, fd);
                        held = true;
                    }
                }
            }
        }

        if (node is null)
        {
            descriptors.Budget.Close(fd);
        }
        else if (!held)
        {
            descriptors.Offer(node, fd);
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
                _count--;
                dead = found;
            }
        }

        if (dead is not null)
        {
            descriptors.Forget(dead);
        }
    }

    // The known node of an inode, with one more lookup; null when the inode is new.
    private PassthroughNode? FindAndCount((ulong Device, ulong Inode) key)
    {
        lock (_lock)
        {
            if (_byInode.TryGetValue(key, out var node))
            {
                node.Lookups++;
            }

            return node;
        }
    }
}
