using System.Collections.Concurrent;
using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Control;

/// <summary>
/// Adds the control directory (<c>.throttlefs/</c> by default) at the mount root, in front of the real filesystem:
/// <c>control</c>, <c>errors</c>, <c>stats</c> and <c>metrics</c>, and the per-file extended attributes
/// <c>user.throttlefs.limits</c> and <c>user.throttlefs.stats</c>. The directory is not part of the backing tree: a
/// backing entry of the same name is hidden, and the directory cannot be removed, renamed or replaced. Its files are
/// generated when opened, so a reader sees one consistent snapshot; they report size 0, like /proc, and are always
/// read with direct I/O. Only the mount owner and root may write <c>control</c> or set a file's limits.
/// </summary>
public sealed class ControlFileSystem : IFileSystem
{
    private const ulong DirectoryNode = ulong.MaxValue - 1;
    private const ulong VirtualHandleBit = 1UL << 62;
    private const long EndOfRootOffset = -1; // after the last backing entry; telldir never returns it
    private const int O_ACCMODE = 3;
    private const uint S_IFDIR = 0x4000;
    private const uint S_IFREG = 0x8000;
    private const uint ReadWrite = 0x1A4; // 0644: the owner writes commands, everyone reads
    private const uint ReadOnly = 0x124; // 0444
    private const uint ReadAndSearch = 0x16D; // 0555
    private const string LimitsAttribute = "user.throttlefs.limits";
    private const string StatisticsAttribute = "user.throttlefs.stats";

    private static readonly byte[][] FileNames = [.. ControlFiles.All.Select(file => Encoding.UTF8.GetBytes(file.Name()))];

    private readonly IFileSystem _inner;
    private readonly ControlPanel _panel;
    private readonly Func<ulong, string?> _pathOf;
    private readonly byte[] _name;
    private readonly uint _gid;
    private readonly long _created;
    private readonly ConcurrentDictionary<ulong, ControlHandle> _handles = new();
    private readonly ConcurrentDictionary<ulong, byte> _rootHandles = new();
    private long _nextHandle;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The throttled filesystem.</param>
    /// <param name="panel">What the control files do.</param>
    /// <param name="directoryName">The control directory's name.</param>
    /// <param name="ownerGid">The group the control files belong to.</param>
    /// <param name="pathOf">A node's path relative to the mount root, or null for an unknown node.</param>
    public ControlFileSystem(IFileSystem inner, ControlPanel panel, string directoryName, uint ownerGid, Func<ulong, string?> pathOf)
    {
        _inner = inner;
        _panel = panel;
        _pathOf = pathOf;
        _name = Encoding.UTF8.GetBytes(directoryName);
        _gid = ownerGid;
        _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    }

    public Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out EntryInfo entry)
    {
        if (parent == RootNode && IsControlName(name))
        {
            entry = new EntryInfo(DirectoryNode, Attributes(DirectoryNode));
            return Errno.Success;
        }

        if (parent == DirectoryNode)
        {
            var index = FileIndex(name);
            entry = index < 0 ? default : new EntryInfo(FileNode(index), Attributes(FileNode(index)));
            return index < 0 ? Errno.ENOENT : Errno.Success;
        }

        return _inner.Lookup(parent, name, out entry);
    }

    public void Forget(ulong node, ulong lookups)
    {
        if (!IsVirtual(node))
        {
            _inner.Forget(node, lookups);
        }
    }

    public Errno GetAttributes(ulong node, ulong? handle, out NodeAttributes attributes)
    {
        if (IsVirtual(node))
        {
            attributes = Attributes(node);
            return Errno.Success;
        }

        return _inner.GetAttributes(node, handle, out attributes);
    }

    public Errno SetAttributes(ulong node, in AttributeChanges changes, out NodeAttributes attributes)
    {
        if (!IsVirtual(node))
        {
            return _inner.SetAttributes(node, changes, out attributes);
        }

        // `echo cmd > control` truncates first: accept a truncation to 0 and nothing else.
        attributes = Attributes(node);
        return node != DirectoryNode && changes.Fields == AttributeFields.Size && changes.Size == 0 ? Errno.Success : Errno.EPERM;
    }

    public Errno ReadLink(ulong node, Span<byte> target, out int length)
    {
        length = 0;
        return IsVirtual(node) ? Errno.EINVAL : _inner.ReadLink(node, target, out length);
    }

    public Errno MakeNode(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, uint rdev, out EntryInfo entry)
    {
        entry = default;
        return Reserved(parent, name) is { } refused ? refused : _inner.MakeNode(context, parent, name, mode, rdev, out entry);
    }

    public Errno MakeDirectory(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, out EntryInfo entry)
    {
        entry = default;
        return Reserved(parent, name) is { } refused ? refused : _inner.MakeDirectory(context, parent, name, mode, out entry);
    }

    public Errno Symlink(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out EntryInfo entry)
    {
        entry = default;
        return Reserved(parent, name) is { } refused ? refused : _inner.Symlink(context, parent, name, target, out entry);
    }

    public Errno Link(ulong node, ulong newParent, ReadOnlySpan<byte> newName, out EntryInfo entry)
    {
        entry = default;
        return IsVirtual(node) ? Errno.EPERM : Reserved(newParent, newName) is { } refused ? refused : _inner.Link(node, newParent, newName, out entry);
    }

    public Errno Unlink(ulong parent, ReadOnlySpan<byte> name) =>
        IsControlEntry(parent, name) ? Errno.EPERM : _inner.Unlink(parent, name);

    public Errno RemoveDirectory(ulong parent, ReadOnlySpan<byte> name) =>
        IsControlEntry(parent, name) ? Errno.EPERM : _inner.RemoveDirectory(parent, name);

    public Errno Rename(ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, RenameFlags flags) =>
        IsControlEntry(parent, name) || IsControlEntry(newParent, newName) ? Errno.EPERM : _inner.Rename(parent, name, newParent, newName, flags);

    public Errno Open(in RequestContext context, ulong node, int flags, out OpenedFile file)
    {
        if (!IsVirtual(node))
        {
            return _inner.Open(context, node, flags, out file);
        }

        file = default;
        if (node == DirectoryNode)
        {
            return Errno.EISDIR;
        }

        var control = ControlFiles.All[FileIndexOf(node)];
        var writing = (flags & O_ACCMODE) != 0;
        if (writing && (control != ControlFile.Control || !_panel.MayChange(context.Uid)))
        {
            return Errno.EACCES;
        }

        var handle = VirtualHandleBit | (ulong)Interlocked.Increment(ref _nextHandle);
        _handles[handle] = new ControlHandle(control, writing ? [] : _panel.Render(control), Caller.Describe(context));
        file = new OpenedFile(handle, DirectIo: true);
        return Errno.Success;
    }

    public Errno Create(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, int flags, uint mode, out EntryInfo entry, out OpenedFile file)
    {
        (entry, file) = (default, default);
        return Reserved(parent, name) is { } refused ? refused : _inner.Create(context, parent, name, flags, mode, out entry, out file);
    }

    public ValueTask<IoResult> ReadAsync(ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (!IsVirtualHandle(handle))
        {
            return _inner.ReadAsync(handle, offset, destination, cancellationToken);
        }

        if (!_handles.TryGetValue(handle, out var open))
        {
            return new(IoResult.Failed(Errno.EBADF));
        }

        var content = open.Content;
        var count = offset >= content.Length ? 0 : (int)Math.Min(content.Length - offset, destination.Length);
        content.AsSpan((int)Math.Min(offset, content.Length), count).CopyTo(destination.Span);
        return new(IoResult.Done(count));
    }

    public ValueTask<IoResult> WriteAsync(ulong handle, long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        if (!IsVirtualHandle(handle))
        {
            return _inner.WriteAsync(handle, offset, source, cancellationToken);
        }

        if (!_handles.TryGetValue(handle, out var open) || open.File != ControlFile.Control)
        {
            return new(IoResult.Failed(Errno.EBADF));
        }

        // Each write is a batch of whole lines: shells and `throttlefs set` write a command and its newline at once.
        var text = Encoding.UTF8.GetString(source.Span);
        return new(_panel.Execute(text, open.Who) ? IoResult.Done(source.Length) : IoResult.Failed(Errno.EINVAL));
    }

    public ValueTask<IoResult> CopyFileRangeAsync(ulong handleIn, long offsetIn, ulong handleOut, long offsetOut, long length, CancellationToken cancellationToken) =>
        IsVirtualHandle(handleIn) || IsVirtualHandle(handleOut)
            ? new(IoResult.Failed(Errno.EOPNOTSUPP)) // userspace falls back to read and write
            : _inner.CopyFileRangeAsync(handleIn, offsetIn, handleOut, offsetOut, length, cancellationToken);

    public Errno Flush(ulong handle) => IsVirtualHandle(handle) ? Errno.Success : _inner.Flush(handle);

    public Errno Release(ulong handle) =>
        IsVirtualHandle(handle) ? (_handles.TryRemove(handle, out _) ? Errno.Success : Errno.EBADF) : _inner.Release(handle);

    public Errno Fsync(ulong handle, bool dataOnly) => IsVirtualHandle(handle) ? Errno.Success : _inner.Fsync(handle, dataOnly);

    public Errno Allocate(ulong handle, int mode, long offset, long length) =>
        IsVirtualHandle(handle) ? Errno.EOPNOTSUPP : _inner.Allocate(handle, mode, offset, length);

    public Errno Seek(ulong handle, long offset, int whence, out long result)
    {
        result = 0;
        return IsVirtualHandle(handle) ? Errno.EINVAL : _inner.Seek(handle, offset, whence, out result);
    }

    public Errno OpenDirectory(ulong node, out OpenedFile directory)
    {
        if (node == DirectoryNode)
        {
            var handle = VirtualHandleBit | (ulong)Interlocked.Increment(ref _nextHandle);
            _handles[handle] = new ControlHandle(null, [], "");
            directory = new OpenedFile(handle, DirectIo: true);
            return Errno.Success;
        }

        if (IsVirtual(node))
        {
            directory = default;
            return Errno.ENOTDIR;
        }

        var error = _inner.OpenDirectory(node, out directory);
        if (error == Errno.Success && node == RootNode)
        {
            _rootHandles[directory.Handle] = 0;
        }

        return error;
    }

    public Errno ReadDirectory(ulong handle, long offset, IDirectoryWriter writer)
    {
        if (IsVirtualHandle(handle))
        {
            return ReadControlDirectory(offset, writer);
        }

        if (!_rootHandles.ContainsKey(handle))
        {
            return _inner.ReadDirectory(handle, offset, writer);
        }

        if (offset == EndOfRootOffset)
        {
            return Errno.Success;
        }

        // The root: hide a backing entry of the control directory's name, and list ours once the backing ones are done.
        var root = new RootDirectoryWriter(this, writer);
        var error = _inner.ReadDirectory(handle, offset, root);

        // Nothing passed on means the backing entries are done (a full reply always passes one on). Only the shadowed
        // entry may have been seen: it is not passed on, so the kernel asks again from before it, and ends up here.
        if (error == Errno.Success && root.Added == 0)
        {
            var entry = writer.WantsAttributes ? new EntryInfo(DirectoryNode, Attributes(DirectoryNode)) : default;
            writer.TryAdd(_name, DirectoryNode, S_IFDIR >> 12, EndOfRootOffset, entry);
        }

        return error;
    }

    public Errno ReleaseDirectory(ulong handle)
    {
        if (IsVirtualHandle(handle))
        {
            return _handles.TryRemove(handle, out _) ? Errno.Success : Errno.EBADF;
        }

        _rootHandles.TryRemove(handle, out _);
        return _inner.ReleaseDirectory(handle);
    }

    public Errno FsyncDirectory(ulong handle, bool dataOnly) => IsVirtualHandle(handle) ? Errno.Success : _inner.FsyncDirectory(handle, dataOnly);

    public Errno GetVolumeStatistics(ulong node, out VolumeStatistics statistics) =>
        _inner.GetVolumeStatistics(IsVirtual(node) ? RootNode : node, out statistics);

    public Errno Access(ulong node, int mask) => IsVirtual(node) ? Errno.Success : _inner.Access(node, mask);

    public Errno SetExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags)
    {
        if (IsVirtual(node))
        {
            return Errno.EPERM;
        }

        if (name.SequenceEqual(StatisticsAttributeBytes))
        {
            return Errno.EPERM; // read-only
        }

        if (!name.SequenceEqual(LimitsAttributeBytes))
        {
            return _inner.SetExtendedAttribute(context, node, name, value, flags);
        }

        var error = ThrottledPath(context, node, out var path);
        if (error != Errno.Success)
        {
            return error;
        }

        return _panel.SetFileLimits(path!, Encoding.UTF8.GetString(value).Trim('\0', ' ', '\n'), Caller.Describe(context)) ? Errno.Success : Errno.EINVAL;
    }

    public Errno GetExtendedAttribute(ulong node, ReadOnlySpan<byte> name, Span<byte> value, out int length)
    {
        length = 0;
        if (IsVirtual(node))
        {
            return Errno.ENODATA;
        }

        var limits = name.SequenceEqual(LimitsAttributeBytes);
        if (!limits && !name.SequenceEqual(StatisticsAttributeBytes))
        {
            return _inner.GetExtendedAttribute(node, name, value, out length);
        }

        if (!IsRegularFile(node) || _pathOf(node) is not { } path)
        {
            return Errno.ENODATA;
        }

        var text = Encoding.UTF8.GetBytes(limits ? _panel.DescribeChain(path) : _panel.DescribeStatistics(path));
        length = text.Length;
        if (value.IsEmpty)
        {
            return Errno.Success;
        }

        if (value.Length < text.Length)
        {
            return Errno.ERANGE;
        }

        text.CopyTo(value);
        return Errno.Success;
    }

    // The throttlefs attributes are not listed: tools that copy every attribute (cp -a, rsync -X) must not carry
    // them to other files.
    public Errno ListExtendedAttributes(ulong node, Span<byte> list, out int length)
    {
        length = 0;
        return IsVirtual(node) ? Errno.Success : _inner.ListExtendedAttributes(node, list, out length);
    }

    public Errno RemoveExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name)
    {
        if (IsVirtual(node) || name.SequenceEqual(StatisticsAttributeBytes))
        {
            return Errno.EPERM;
        }

        if (!name.SequenceEqual(LimitsAttributeBytes))
        {
            return _inner.RemoveExtendedAttribute(context, node, name);
        }

        var error = ThrottledPath(context, node, out var path);
        if (error == Errno.Success)
        {
            _panel.ClearFile(path!, Caller.Describe(context));
        }

        return error;
    }

    private const ulong RootNode = 1;

    private static ReadOnlySpan<byte> LimitsAttributeBytes => "user.throttlefs.limits"u8;

    private static ReadOnlySpan<byte> StatisticsAttributeBytes => "user.throttlefs.stats"u8;

    private static ulong FileNode(int index) => DirectoryNode - 1 - (ulong)index;

    private static int FileIndexOf(ulong node) => (int)(DirectoryNode - 1 - node);

    private static bool IsVirtual(ulong node) => node <= DirectoryNode && node >= FileNode(FileNames.Length - 1);

    private static bool IsVirtualHandle(ulong handle) => (handle & VirtualHandleBit) != 0;

    private static int FileIndex(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < FileNames.Length; i++)
        {
            if (name.SequenceEqual(FileNames[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private bool IsControlName(ReadOnlySpan<byte> name) => name.SequenceEqual(_name);

    private bool IsControlEntry(ulong parent, ReadOnlySpan<byte> name) =>
        parent == DirectoryNode || (parent == RootNode && IsControlName(name));

    // Creating anything in the control directory, or under its name at the root.
    private Errno? Reserved(ulong parent, ReadOnlySpan<byte> name) =>
        parent == DirectoryNode ? Errno.EACCES : parent == RootNode && IsControlName(name) ? Errno.EEXIST : IsVirtual(parent) ? Errno.ENOTDIR : null;

    private bool IsRegularFile(ulong node) =>
        _inner.GetAttributes(node, null, out var attributes) == Errno.Success && (attributes.Mode & 0xF000) == S_IFREG;

    private Errno ThrottledPath(in RequestContext context, ulong node, out string? path)
    {
        path = null;
        if (!IsRegularFile(node))
        {
            return Errno.EPERM; // limits belong to files
        }

        if (!_panel.MayChange(context.Uid))
        {
            return Errno.EACCES;
        }

        path = _pathOf(node);
        return path is null ? Errno.ENOENT : Errno.Success;
    }

    private NodeAttributes Attributes(ulong node)
    {
        // Only control takes writes (from its owner); everyone may read.
        var mode = node == DirectoryNode ? S_IFDIR | ReadAndSearch
            : ControlFiles.All[FileIndexOf(node)] == ControlFile.Control ? S_IFREG | ReadWrite
            : S_IFREG | ReadOnly;
        return new NodeAttributes(
            Inode: node, Size: 0, Blocks: 0,
            AccessSeconds: _created, AccessNanoseconds: 0, ModifySeconds: _created, ModifyNanoseconds: 0, ChangeSeconds: _created, ChangeNanoseconds: 0,
            Mode: mode, Links: node == DirectoryNode ? 2u : 1u, Uid: _panel.OwnerUid, Gid: _gid, Rdev: 0, BlockSize: 4096);
    }

    private Errno ReadControlDirectory(long offset, IDirectoryWriter writer)
    {
        // ".", "..", then the files, at offsets 1, 2, 3, ...
        for (var index = (int)offset; index < FileNames.Length + 2; index++)
        {
            var (name, node, mode) = index switch
            {
                0 => ("."u8.ToArray(), DirectoryNode, S_IFDIR),
                1 => (".."u8.ToArray(), RootNode, S_IFDIR),
                _ => (FileNames[index - 2], FileNode(index - 2), S_IFREG),
            };
            var entry = writer.WantsAttributes && index >= 2 ? new EntryInfo(node, Attributes(node)) : default;
            if (!writer.TryAdd(name, node, mode >> 12, index + 1, entry))
            {
                break;
            }
        }

        return Errno.Success;
    }

    private sealed record ControlHandle(ControlFile? File, byte[] Content, string Who);

    private sealed class RootDirectoryWriter(ControlFileSystem owner, IDirectoryWriter writer) : IDirectoryWriter
    {
        public int Added { get; private set; }

        public bool WantsAttributes => writer.WantsAttributes;

        public bool TryAdd(ReadOnlySpan<byte> name, ulong inode, uint type, long nextOffset, in EntryInfo entry)
        {
            if (!owner.IsControlName(name))
            {
                var added = writer.TryAdd(name, inode, type, nextOffset, entry);
                Added += added ? 1 : 0;
                return added;
            }

            if (WantsAttributes && entry.Node != 0)
            {
                owner._inner.Forget(entry.Node, 1); // the shadowed entry's lookup never reaches the kernel
            }

            return true;
        }
    }
}
