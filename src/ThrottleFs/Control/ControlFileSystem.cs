using System.Collections.Concurrent;
using ThrottleFs.Configuration;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Control;

/// <summary>
/// Adds the control directory (<c>.throttlefs/</c> by default) at the mount root, in front of the filesystem under
/// it: <c>control</c>, <c>errors</c>, <c>stats</c> and <c>metrics</c> (<see cref="ControlDirectory"/>), and the
/// per-file extended attributes (<see cref="ControlAttributes"/>). The directory is not part of the backing tree: a
/// backing entry of the same name is hidden, and the directory cannot be removed, renamed or replaced. Its nodes and
/// handles come from the layers' ranges (<see cref="FileSystemIds"/>), and every id the filesystem under it returns is
/// checked to be outside them, so the two can never be confused.
/// </summary>
internal sealed class ControlFileSystem : FileSystemDecorator
{
    private const long EndOfRootOffset = -1; // after the last backing entry; telldir never returns it

    private readonly ControlPanel _panel;
    private readonly ControlDirectory _directory;
    private readonly OpenControlFiles _open;
    private readonly ControlAttributes _attributes;
    private readonly IProcessNames _processes;
    private readonly string _name;
    private readonly ConcurrentDictionary<ulong, byte> _rootHandles = new();

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The throttled filesystem.</param>
    /// <param name="panel">What the control files do.</param>
    /// <param name="directoryName">The control directory's name.</param>
    /// <param name="ownerGid">The group the control files belong to (their owner is the panel's).</param>
    /// <param name="processes">Names the process behind a change, for the log.</param>
    public ControlFileSystem(IFileSystem inner, ControlPanel panel, string directoryName, uint ownerGid, IProcessNames processes)
        : base(inner)
    {
        _panel = panel;
        _processes = processes;
        _name = directoryName;
        _directory = new ControlDirectory(panel, directoryName, ownerGid);
        _open = new OpenControlFiles(panel);
        _attributes = new ControlAttributes(inner, panel, processes);
    }

    public override string? PathOf(ulong node) =>
        node == ControlDirectory.Node ? _name
        : ControlDirectory.Contains(node) ? $"{_name}/{ControlDirectory.FileOf(node).Name()}"
        : Inner.PathOf(node);

    public override Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out EntryInfo entry)
    {
        if (parent == FileSystemIds.Root && _directory.IsName(name))
        {
            entry = _directory.Entry;
            return Errno.Success;
        }

        return parent == ControlDirectory.Node ? _directory.Lookup(name, out entry) : Checked(Inner.Lookup(parent, name, out entry), entry);
    }

    public override void Forget(ulong node, ulong lookups)
    {
        if (!ControlDirectory.Contains(node))
        {
            Inner.Forget(node, lookups);
        }
    }

    public override Errno GetAttributes(ulong node, ulong? handle, out NodeAttributes attributes)
    {
        if (ControlDirectory.Contains(node))
        {
            attributes = _directory.Attributes(node);
            return Errno.Success;
        }

        return Inner.GetAttributes(node, handle, out attributes);
    }

    public override Errno SetAttributes(ulong node, in AttributeChanges changes, out NodeAttributes attributes)
    {
        if (!ControlDirectory.Contains(node))
        {
            return Inner.SetAttributes(node, changes, out attributes);
        }

        // `echo cmd > control` truncates first: accept a truncation to 0 and nothing else.
        attributes = _directory.Attributes(node);
        return node != ControlDirectory.Node && changes.Fields == AttributeFields.Size && changes.Size == 0 ? Errno.Success : Errno.EPERM;
    }

    public override Errno RemovePrivileges(in RequestContext context, ulong node, out bool removed)
    {
        removed = false;
        return ControlDirectory.Contains(node) ? Errno.Success : Inner.RemovePrivileges(context, node, out removed);
    }

    public override Errno ReadLink(ulong node, Span<byte> target, out int length)
    {
        length = 0;
        return ControlDirectory.Contains(node) ? Errno.EINVAL : Inner.ReadLink(node, target, out length);
    }

    public override Errno MakeNode(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, uint rdev, out EntryInfo entry)
    {
        entry = default;
        return Reserved(parent, name) ?? Checked(Inner.MakeNode(context, parent, name, mode, rdev, out entry), entry);
    }

    public override Errno MakeDirectory(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, out EntryInfo entry)
    {
        entry = default;
        return Reserved(parent, name) ?? Checked(Inner.MakeDirectory(context, parent, name, mode, out entry), entry);
    }

    public override Errno Symlink(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out EntryInfo entry)
    {
        entry = default;
        return Reserved(parent, name) ?? Checked(Inner.Symlink(context, parent, name, target, out entry), entry);
    }

    public override Errno Link(ulong node, ulong newParent, ReadOnlySpan<byte> newName, out EntryInfo entry)
    {
        entry = default;
        return ControlDirectory.Contains(node) ? Errno.EPERM : Reserved(newParent, newName) ?? Checked(Inner.Link(node, newParent, newName, out entry), entry);
    }

    public override Errno Unlink(ulong parent, ReadOnlySpan<byte> name) =>
        IsControlEntry(parent, name) ? Errno.EPERM : Inner.Unlink(parent, name);

    public override Errno RemoveDirectory(ulong parent, ReadOnlySpan<byte> name) =>
        IsControlEntry(parent, name) ? Errno.EPERM : Inner.RemoveDirectory(parent, name);

    public override Errno Rename(ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, RenameFlags flags) =>
        IsControlEntry(parent, name) || IsControlEntry(newParent, newName) ? Errno.EPERM : Inner.Rename(parent, name, newParent, newName, flags);

    public override Errno Open(in RequestContext context, ulong node, int flags, out OpenedFile file)
    {
        if (!ControlDirectory.Contains(node))
        {
            return Checked(Inner.Open(context, node, flags, out file), file, directory: false);
        }

        file = default;
        if (node == ControlDirectory.Node)
        {
            return Errno.EISDIR;
        }

        var control = ControlDirectory.FileOf(node);
        var writing = OpenFlags.Writes(flags);
        if (writing && (control != ControlFile.Control || !_panel.MayChange(context.Uid)))
        {
            return Errno.EACCES;
        }

        // The modes say the same, and a FUSE kernel checks them first; a Dokan volume checks nothing, so this does.
        if (!_panel.MayChange(context.Uid) && _panel.Policy.Limits.Settings.ControlReaders == ControlReaders.Owner)
        {
            return Errno.EACCES;
        }

        file = new OpenedFile(_open.Open(control, writing, Caller.Describe(context, _processes)), DirectIo: true);
        return Errno.Success;
    }

    public override Errno Create(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, int flags, uint mode, out EntryInfo entry, out OpenedFile file)
    {
        (entry, file) = (default, default);
        if (Reserved(parent, name) is { } refused)
        {
            return refused;
        }

        var error = Inner.Create(context, parent, name, flags, mode, out entry, out file);
        if (error != Errno.Success || (FileSystemIds.IsFileSystemNode(entry.Node) && FileSystemIds.IsFileSystemHandle(file.Handle)))
        {
            return error;
        }

        Inner.Release(file.Handle); // out of range: see Checked below
        Inner.Forget(entry.Node, 1);
        return Errno.EIO;
    }

    public override ValueTask<IoResult> ReadAsync(ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken) =>
        OpenControlFiles.Owns(handle) ? new(_open.Read(handle, offset, destination.Span)) : Inner.ReadAsync(handle, offset, destination, cancellationToken);

    public override ValueTask<IoResult> WriteAsync(ulong handle, long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken) =>
        OpenControlFiles.Owns(handle) ? new(_open.Write(handle, source.Span)) : Inner.WriteAsync(handle, offset, source, cancellationToken);

    public override ValueTask<IoResult> CopyFileRangeAsync(ulong handleIn, long offsetIn, ulong handleOut, long offsetOut, long length, CancellationToken cancellationToken) =>
        OpenControlFiles.Owns(handleIn) || OpenControlFiles.Owns(handleOut)
            ? new(IoResult.Failed(Errno.EOPNOTSUPP)) // userspace falls back to read and write
            : Inner.CopyFileRangeAsync(handleIn, offsetIn, handleOut, offsetOut, length, cancellationToken);

    public override Errno Flush(ulong handle) => OpenControlFiles.Owns(handle) ? _open.Flush(handle) : Inner.Flush(handle);

    public override Errno Release(ulong handle) => OpenControlFiles.Owns(handle) ? _open.Release(handle) : Inner.Release(handle);

    public override Errno Fsync(ulong handle, bool dataOnly) => OpenControlFiles.Owns(handle) ? Errno.Success : Inner.Fsync(handle, dataOnly);

    public override Errno Allocate(ulong handle, int mode, long offset, long length) =>
        OpenControlFiles.Owns(handle) ? Errno.EOPNOTSUPP : Inner.Allocate(handle, mode, offset, length);

    public override Errno Seek(ulong handle, long offset, int whence, out long result)
    {
        result = 0;
        return OpenControlFiles.Owns(handle) ? Errno.EINVAL : Inner.Seek(handle, offset, whence, out result);
    }

    public override Errno OpenDirectory(ulong node, out OpenedFile directory)
    {
        if (node == ControlDirectory.Node)
        {
            directory = new OpenedFile(_open.Open(null, writing: false, ""), DirectIo: true);
            return Errno.Success;
        }

        if (ControlDirectory.Contains(node))
        {
            directory = default;
            return Errno.ENOTDIR;
        }

        var error = Checked(Inner.OpenDirectory(node, out directory), directory, directory: true);
        if (error == Errno.Success && node == FileSystemIds.Root)
        {
            _rootHandles[directory.Handle] = 0;
        }

        return error;
    }

    public override Errno ReadDirectory(ulong handle, long offset, IDirectoryWriter writer)
    {
        if (OpenControlFiles.Owns(handle))
        {
            return _directory.ReadEntries(offset, writer);
        }

        var root = _rootHandles.ContainsKey(handle);
        if (!root && !writer.WantsAttributes)
        {
            return Inner.ReadDirectory(handle, offset, writer); // names and inode numbers only: nothing to filter
        }

        if (root && offset == EndOfRootOffset)
        {
            return Errno.Success;
        }

        var filtered = new FilteringDirectoryWriter(writer, _directory, Inner, root);
        var error = Inner.ReadDirectory(handle, offset, filtered);

        // At the root, nothing passed on means the backing entries are done (a full reply always passes one on). Only
        // the shadowed entry may have been seen: it is not passed on, so the kernel asks again from before it, and
        // ends up here.
        if (root && error == Errno.Success && filtered.Added == 0)
        {
            _directory.AddTo(writer, EndOfRootOffset);
        }

        return error;
    }

    public override Errno ReleaseDirectory(ulong handle)
    {
        if (OpenControlFiles.Owns(handle))
        {
            return _open.Release(handle);
        }

        _rootHandles.TryRemove(handle, out _);
        return Inner.ReleaseDirectory(handle);
    }

    public override Errno FsyncDirectory(ulong handle, bool dataOnly) => OpenControlFiles.Owns(handle) ? Errno.Success : Inner.FsyncDirectory(handle, dataOnly);

    public override Errno GetVolumeStatistics(ulong node, out VolumeStatistics statistics) =>
        Inner.GetVolumeStatistics(ControlDirectory.Contains(node) ? FileSystemIds.Root : node, out statistics);

    public override Errno Access(ulong node, int mask) => ControlDirectory.Contains(node) ? Errno.Success : Inner.Access(node, mask);

    public override Errno SetExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags) =>
        ControlDirectory.Contains(node) ? Errno.EPERM
        : ControlAttributes.IsOurs(name) ? _attributes.Set(context, node, name, value)
        : Inner.SetExtendedAttribute(context, node, name, value, flags);

    public override Errno GetExtendedAttribute(ulong node, ReadOnlySpan<byte> name, Span<byte> value, out int length)
    {
        length = 0;
        return ControlDirectory.Contains(node) ? Errno.ENODATA
            : ControlAttributes.IsOurs(name) ? _attributes.Get(node, name, value, out length)
            : Inner.GetExtendedAttribute(node, name, value, out length);
    }

    // The throttlefs attributes are not listed: tools that copy every attribute (cp -a, rsync -X) must not carry
    // them to other files.
    public override Errno ListExtendedAttributes(ulong node, Span<byte> list, out int length)
    {
        length = 0;
        return ControlDirectory.Contains(node) ? Errno.Success : Inner.ListExtendedAttributes(node, list, out length);
    }

    public override Errno RemoveExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name) =>
        ControlDirectory.Contains(node) ? Errno.EPERM
        : ControlAttributes.IsOurs(name) ? _attributes.Remove(context, node, name)
        : Inner.RemoveExtendedAttribute(context, node, name);

    private bool IsControlEntry(ulong parent, ReadOnlySpan<byte> name) =>
        parent == ControlDirectory.Node || (parent == FileSystemIds.Root && _directory.IsName(name));

    // Creating anything in the control directory, or under its name at the root.
    private Errno? Reserved(ulong parent, ReadOnlySpan<byte> name) =>
        parent == ControlDirectory.Node ? Errno.EACCES
        : parent == FileSystemIds.Root && _directory.IsName(name) ? Errno.EEXIST
        : ControlDirectory.Contains(parent) ? Errno.ENOTDIR
        : null;

    // A node the filesystem under us returned from the layers' range would be taken for one of ours: the call fails
    // (EIO) and its lookup is given back rather than answering for the wrong file. What it created stays in the
    // backing tree; a filesystem that breaks the contract cannot be trusted to undo it.
    private Errno Checked(Errno error, in EntryInfo entry)
    {
        if (error != Errno.Success || FileSystemIds.IsFileSystemNode(entry.Node))
        {
            return error;
        }

        Inner.Forget(entry.Node, 1);
        return Errno.EIO;
    }

    private Errno Checked(Errno error, in OpenedFile file, bool directory)
    {
        if (error != Errno.Success || FileSystemIds.IsFileSystemHandle(file.Handle))
        {
            return error;
        }

        _ = directory ? Inner.ReleaseDirectory(file.Handle) : Inner.Release(file.Handle);
        return Errno.EIO;
    }
}
