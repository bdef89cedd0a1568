using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Tests.FileSystem;

/// <summary>
/// A filesystem held in memory, for testing the layers above <see cref="IFileSystem"/> without a mount: a tree of
/// directories, regular files and symbolic links, with the contract's bookkeeping kept as a real one keeps it. Node
/// ids count up from 2 as names are looked up and are never reused; every call that returns an entry counts one
/// lookup, and a node's id goes once <see cref="Forget"/> has given its lookups back. Handles come from a
/// <see cref="HandlePool"/>. Errors are the errno values Linux gives. Permissions are not checked: callers act as root.
/// <para>
/// Tests set the tree up by path (<see cref="AddFile"/>, <see cref="AddDirectory"/>), which counts no lookup, and
/// look at it the same way (<see cref="ContentOf"/>, <see cref="LookupsOf"/>). Two hooks break the contract on
/// purpose, to test the layers' checks: <see cref="NextNodeId"/> and <see cref="HandsOutLayerHandles"/>.
/// </para>
/// </summary>
internal sealed partial class InMemoryFileSystem : IFileSystem
{
    /// <summary>What <see cref="GetVolumeStatistics"/> always reports.</summary>
    public static readonly VolumeStatistics Volume = new(
        Blocks: 262_144, BlocksFree: 131_072, BlocksAvailable: 131_000, Files: 65_536, FilesFree: 65_000, BlockSize: 4096, NameMax: 255, FragmentSize: 4096);

    private const int NameMax = 255;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<ulong, MemoryNode> _known = [];
    private readonly MemoryNode _root;
    private ulong _nextInode = 1;

    /// <summary>An empty filesystem whose root belongs to <paramref name="uid"/> and <paramref name="gid"/>.</summary>
    /// <param name="time">The clock file times come from.</param>
    public InMemoryFileSystem(TimeProvider? time = null, uint uid = 0, uint gid = 0)
    {
        _time = time ?? TimeProvider.System;
        _root = NewNode(FileModes.Directory | 0x1ED, uid, gid); // 0755
        _root.Id = FileSystemIds.Root;
        _root.Lookups = 1; // the kernel never forgets the root
        _known.Add(FileSystemIds.Root, _root);
    }

    /// <summary>The id the next node looked up gets. A test sets it into the layers' range to break the contract.</summary>
    public ulong NextNodeId { get; set; } = FileSystemIds.Root + 1;

    /// <summary>Whether new handles are handed out in the layers' range (breaking the contract); they still work.</summary>
    public bool HandsOutLayerHandles { get; set; }

    /// <summary>Nodes the kernel knows now, the root included.</summary>
    public int KnownNodes
    {
        get
        {
            lock (_lock)
            {
                return _known.Count;
            }
        }
    }

    /// <summary>Reads that reached this filesystem.</summary>
    public int ReadCount { get; private set; }

    /// <summary>Writes that reached this filesystem.</summary>
    public int WriteCount { get; private set; }

    public string? PathOf(ulong node)
    {
        lock (_lock)
        {
            if (!_known.TryGetValue(node, out var found))
            {
                return null;
            }

            var names = new List<string>();
            for (var current = found; current != _root; current = current.Links[0].Parent)
            {
                if (current.Links.Count == 0)
                {
                    return null; // unlinked: it has no path any more
                }

                names.Add(current.Links[0].Name);
            }

            names.Reverse();
            return string.Join('/', names);
        }
    }

    public Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out EntryInfo entry)
    {
        entry = default;
        lock (_lock)
        {
            var error = Directory(parent, out var directory);
            if (error != Errno.Success)
            {
                return error;
            }

            var child = Encoding.UTF8.GetString(name) switch
            {
                "." => directory,
                ".." => directory.Parent ?? _root,
                var text when text.Length > NameMax => null,
                var text => directory.Children.TryGetValue(text, out var found) ? found.Node : null,
            };
            if (child is null)
            {
                return name.Length > NameMax ? Errno.ENAMETOOLONG : Errno.ENOENT;
            }

            entry = Count(child);
            return Errno.Success;
        }
    }

    public void Forget(ulong node, ulong lookups)
    {
        lock (_lock)
        {
            if (node != FileSystemIds.Root && _known.TryGetValue(node, out var found))
            {
                found.Lookups = found.Lookups > lookups ? found.Lookups - lookups : 0;
                if (found.Lookups == 0)
                {
                    _known.Remove(node);
                    found.Id = 0;
                }
            }
        }
    }

    public Errno GetAttributes(ulong node, ulong? handle, out NodeAttributes attributes)
    {
        attributes = default;
        lock (_lock)
        {
            var error = Target(node, handle, out var target);
            attributes = error == Errno.Success ? target.Attributes() : default;
            return error;
        }
    }

    /// <summary>Drops the set-user-ID and set-group-ID bits of a regular file (the double keeps no capabilities or groups).</summary>
    public Errno RemovePrivileges(in RequestContext context, ulong node, out bool removed)
    {
        removed = false;
        lock (_lock)
        {
            if (!_known.TryGetValue(node, out var target))
            {
                return Errno.ENOENT;
            }

            removed = target.IsRegularFile && (target.Mode & 0xC00u) != 0;
            target.Mode &= removed ? ~0xC00u : ~0u;
            return Errno.Success;
        }
    }

    public Errno SetAttributes(ulong node, in AttributeChanges changes, out NodeAttributes attributes)
    {
        attributes = default;
        lock (_lock)
        {
            var error = Target(node, changes.Handle, out var target);
            if (error != Errno.Success)
            {
                return error;
            }

            var fields = changes.Fields;
            if ((fields & AttributeFields.Size) != 0)
            {
                error = target.IsDirectory ? Errno.EISDIR : !target.IsRegularFile || changes.Size < 0 ? Errno.EINVAL : Errno.Success;
                if (error != Errno.Success)
                {
                    return error;
                }

                target.Data = Resized(target.Data, changes.Size);
                target.Modified = Now();
            }

            if ((fields & AttributeFields.Mode) != 0)
            {
                target.Mode = target.Type | (changes.Mode & 0xFFF);
            }

            target.Uid = (fields & AttributeFields.Uid) != 0 ? changes.Uid : target.Uid;
            target.Gid = (fields & AttributeFields.Gid) != 0 ? changes.Gid : target.Gid;
            target.Accessed = (fields & AttributeFields.AccessTimeNow) != 0 ? Now()
                : (fields & AttributeFields.AccessTime) != 0 ? new MemoryTime(changes.AccessSeconds, changes.AccessNanoseconds)
                : target.Accessed;
            target.Modified = (fields & AttributeFields.ModifyTimeNow) != 0 ? Now()
                : (fields & AttributeFields.ModifyTime) != 0 ? new MemoryTime(changes.ModifySeconds, changes.ModifyNanoseconds)
                : target.Modified;
            target.Changed = Now();
            attributes = target.Attributes();
            return Errno.Success;
        }
    }

    public Errno GetVolumeStatistics(ulong node, out VolumeStatistics statistics)
    {
        lock (_lock)
        {
            var error = Find(node, out _);
            statistics = error == Errno.Success ? Volume : default;
            return error;
        }
    }

    /// <summary>Every existing node passes: permissions are not modelled.</summary>
    public Errno Access(ulong node, int mask)
    {
        lock (_lock)
        {
            return Find(node, out _);
        }
    }

    /// <summary>Adds a regular file (and any missing directories above it); no lookup is counted.</summary>
    public void AddFile(string path, byte[] content, uint permissions = 0x1A4)
    {
        lock (_lock)
        {
            var (parent, name) = MakeParents(path);
            var file = NewNode(FileModes.RegularFile | permissions, parent.Uid, parent.Gid);
            file.Data = [.. content];
            parent.Add(name, file, Now());
        }
    }

    /// <summary>Adds a directory (and any missing above it); no lookup is counted.</summary>
    public void AddDirectory(string path)
    {
        lock (_lock)
        {
            var (parent, name) = MakeParents(path);
            parent.Add(name, NewNode(FileModes.Directory | 0x1ED, parent.Uid, parent.Gid), Now());
        }
    }

    /// <summary>A regular file's content now.</summary>
    public byte[] ContentOf(string path)
    {
        lock (_lock)
        {
            return [.. At(path).Data];
        }
    }

    /// <summary>Whether <paramref name="path"/> names a node.</summary>
    public bool Exists(string path)
    {
        lock (_lock)
        {
            return TryAt(path) is not null;
        }
    }

    /// <summary>The lookups the kernel holds on the node at <paramref name="path"/> (0 when it does not know it).</summary>
    public ulong LookupsOf(string path)
    {
        lock (_lock)
        {
            return At(path).Lookups;
        }
    }

    /// <summary>The node id of <paramref name="path"/>, or 0 while no lookup is held on it.</summary>
    public ulong NodeIdOf(string path)
    {
        lock (_lock)
        {
            return At(path).Id;
        }
    }

    // Counts one lookup on the node, giving it an id if the kernel did not know it.
    private EntryInfo Count(MemoryNode node)
    {
        if (node.Id == 0)
        {
            node.Id = NextNodeId++;
            _known.Add(node.Id, node);
        }

        node.Lookups++;
        return new EntryInfo(node.Id, node.Attributes());
    }

    private Errno Find(ulong node, out MemoryNode found) =>
        _known.TryGetValue(node, out found!) ? Errno.Success : Errno.ENOENT;

    // The node itself, or the one open as `handle` when there is one.
    private Errno Target(ulong node, ulong? handle, out MemoryNode target)
    {
        if (handle is not { } h)
        {
            return Find(node, out target);
        }

        var error = OpenOf(h, out var open);
        target = open?.Node!;
        return error;
    }

    private Errno Directory(ulong node, out MemoryNode directory)
    {
        var error = Find(node, out directory);
        return error != Errno.Success ? error : directory.IsDirectory ? Errno.Success : Errno.ENOTDIR;
    }

    private MemoryNode NewNode(uint mode, uint uid, uint gid) => new(_nextInode++, mode, uid, gid, Now());

    private MemoryTime Now() => MemoryTime.From(_time.GetUtcNow());

    private static byte[] Resized(byte[] data, long size)
    {
        var resized = new byte[size];
        data.AsSpan(0, (int)Math.Min(size, data.Length)).CopyTo(resized);
        return resized;
    }

    private MemoryNode At(string path) => TryAt(path) ?? throw new ArgumentException($"No node at '{path}'.", nameof(path));

    private MemoryNode? TryAt(string path)
    {
        var node = _root;
        foreach (var name in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!node.Children.TryGetValue(name, out var entry))
            {
                return null;
            }

            node = entry.Node;
        }

        return node;
    }

    private (MemoryNode Parent, string Name) MakeParents(string path)
    {
        var names = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var parent = _root;
        foreach (var name in names[..^1])
        {
            if (!parent.Children.TryGetValue(name, out var entry))
            {
                var directory = NewNode(FileModes.Directory | 0x1ED, parent.Uid, parent.Gid);
                parent.Add(name, directory, Now());
                parent = directory;
            }
            else
            {
                parent = entry.Node;
            }
        }

        return (parent, names[^1]);
    }
}
