using System.Collections.Concurrent;
using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// The nodes the kernel knows, as a tree of names under the root, with the kernel's lookup count. A name looked up
/// twice is one node (on a case-insensitive store, two spellings of one name are too); a node's path is read from the
/// tree, so a rename through us moves a whole subtree by changing one parent and one name. A node stays while the
/// kernel holds a lookup of it or knows a node below it (whose path runs through it). Ids count up from 2 and are
/// never reused, so a stale id cannot reach another file. Finding a node by id, which every request does, takes no
/// lock; everything else is serialized by one lock, held only for dictionary work, never for I/O.
/// </summary>
internal sealed class PortableNodeTree
{
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<ulong, PortableNode> _nodes = new();
    private ulong _nextId = FileSystemIds.Root + 1;

    /// <param name="rootPath">The backing directory the root stands for.</param>
    /// <param name="caseInsensitive">Whether the backing store matches names regardless of case.</param>
    public PortableNodeTree(string rootPath, bool caseInsensitive)
    {
        RootPath = rootPath;
        Names = caseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        Root = new PortableNode(FileSystemIds.Root, null, "") { Lookups = 1 }; // the kernel never forgets the root
        _nodes[Root.Id] = Root;
    }

    /// <summary>The backing directory of the root.</summary>
    public string RootPath { get; }

    public PortableNode Root { get; }

    /// <summary>How the backing store compares names.</summary>
    public StringComparer Names { get; }

    /// <summary>How many nodes are known, the root included.</summary>
    public int NodeCount => _nodes.Count;

    public PortableNode? Find(ulong id) => _nodes.GetValueOrDefault(id);

    /// <summary>The node's path relative to the root, '/'-separated ("" for the root); null once its name is gone.</summary>
    public string? PathOf(PortableNode node)
    {
        lock (_lock)
        {
            return PathUnsynchronized(node, '/');
        }
    }

    /// <summary>The node's full backing path; null once its name is gone.</summary>
    public string? BackingPathOf(PortableNode node)
    {
        lock (_lock)
        {
            return PathUnsynchronized(node, Path.DirectorySeparatorChar) is { } relative
                ? relative.Length == 0 ? RootPath : Path.Join(RootPath, relative)
                : null;
        }
    }

    /// <summary>The directory <paramref name="node"/> is in, the root for the root; null once its name is gone.</summary>
    public PortableNode? ParentOf(PortableNode node)
    {
        lock (_lock)
        {
            return node == Root ? Root : node.Parent;
        }
    }

    /// <summary>The node known as <paramref name="name"/> in <paramref name="parent"/>, counting nothing.</summary>
    public PortableNode? Known(PortableNode parent, string name)
    {
        lock (_lock)
        {
            return parent.Children?.GetValueOrDefault(name);
        }
    }

    /// <summary>
    /// Counts one lookup of the name <paramref name="spelling"/> (as the store spells it) in <paramref name="parent"/>:
    /// the node known by that name, or a new one. Null when the ids are used up.
    /// </summary>
    public PortableNode? Count(PortableNode parent, string spelling)
    {
        lock (_lock)
        {
            if (parent.Children?.GetValueOrDefault(spelling) is { } known)
            {
                known.Lookups++;
                return known;
            }

            if (_nextId >= FileSystemIds.FirstLayerNode)
            {
                return null;
            }

            var node = new PortableNode(_nextId++, parent, spelling) { Lookups = 1 };
            (parent.Children ??= new Dictionary<string, PortableNode>(Names)).Add(spelling, node);
            _nodes[node.Id] = node;
            return node;
        }
    }

    /// <summary>Counts one more lookup of a node the kernel holds ("." and ".."); false when it is gone.</summary>
    public bool CountAgain(PortableNode node)
    {
        lock (_lock)
        {
            if (!_nodes.ContainsKey(node.Id))
            {
                return false;
            }

            node.Lookups++;
            return true;
        }
    }

    /// <summary>Gives back <paramref name="lookups"/> of a node's; at zero (and with nothing known below it) it goes.</summary>
    public void Forget(ulong id, ulong lookups)
    {
        lock (_lock)
        {
            if (id == FileSystemIds.Root || !_nodes.TryGetValue(id, out var node))
            {
                return;
            }

            node.Lookups = node.Lookups > lookups ? node.Lookups - lookups : 0;
            PruneUnsynchronized(node);
        }
    }

    /// <summary>The name <paramref name="name"/> in <paramref name="parent"/> was removed: its node, if known, has no path any more.</summary>
    public void Detach(PortableNode parent, string name)
    {
        lock (_lock)
        {
            DetachUnsynchronized(parent, name);
            PruneUnsynchronized(parent);
        }
    }

    /// <summary>
    /// <paramref name="name"/> in <paramref name="from"/> was renamed to <paramref name="newName"/> in
    /// <paramref name="to"/>: its node (and so everything below it) follows, and a node the rename replaced is detached.
    /// </summary>
    public void Move(PortableNode from, string name, PortableNode to, string newName)
    {
        lock (_lock)
        {
            var moved = from.Children?.GetValueOrDefault(name);
            if (to.Children?.GetValueOrDefault(newName) is { } replaced && replaced != moved)
            {
                DetachUnsynchronized(to, newName);
            }

            if (moved is not null)
            {
                from.Children!.Remove(name);
                moved.Parent = to;
                moved.Name = newName; // a case-only rename changes the spelling of the same node
                (to.Children ??= new Dictionary<string, PortableNode>(Names)).Add(newName, moved);
            }

            PruneUnsynchronized(from);
            PruneUnsynchronized(to);
        }
    }

    private void DetachUnsynchronized(PortableNode parent, string name)
    {
        if (parent.Children is null || !parent.Children.Remove(name, out var node))
        {
            return;
        }

        node.Parent = null;
        node.IsDetached = true;
        PruneUnsynchronized(node);
    }

    // Drops a node that nothing holds any more (no lookups, no known node below it), then its parent if that leaves
    // it held by nothing either.
    private void PruneUnsynchronized(PortableNode node)
    {
        while (node != Root && node.Lookups == 0 && (node.Children is null || node.Children.Count == 0))
        {
            _nodes.TryRemove(node.Id, out _);
            if (node.Parent is not { } parent)
            {
                return;
            }

            parent.Children!.Remove(node.Name);
            node.Parent = null;
            node.IsDetached = true;
            node = parent;
        }
    }

    private string? PathUnsynchronized(PortableNode node, char separator)
    {
        if (node == Root)
        {
            return "";
        }

        var names = new List<string>();
        for (var current = node; current != Root; current = current.Parent)
        {
            if (current.Parent is null)
            {
                return null; // detached, or below a detached directory
            }

            names.Add(current.Name);
        }

        var path = new StringBuilder();
        for (var i = names.Count - 1; i >= 0; i--)
        {
            path.Append(names[i]);
            if (i > 0)
            {
                path.Append(separator);
            }
        }

        return path.ToString();
    }
}
