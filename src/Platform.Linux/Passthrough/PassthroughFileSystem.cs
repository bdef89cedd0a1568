using System.Text;
using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// Mirrors a backing directory, or a single file, as go-fuse's loopback and libfuse's passthrough_ll do, every
/// operation one *at() call relative to the descriptor of the node it names, so nodes follow their files through
/// renames made behind our back and unlinked files stay usable while open. Unlike them, a node does not hold its
/// descriptor: it keeps the inode's file handle (<see cref="NodeTable"/>), and <see cref="NodeDescriptors"/> lends a
/// descriptor per call from a bounded cache, reopening it from the handle when it was closed; only open files and
/// directories keep theirs. So the kernel may know millions of files, and when descriptors run short it is an open
/// that fails (<see cref="DescriptorBudget"/>), never a stat, lookup or readdir. Each method makes one backing call and
/// returns its errno; no throttling here (the core's ThrottledFileSystem wraps this). This file holds the set-up and
/// names (create, link, remove, rename); the other parts: nodes (lookup, forget, paths), attributes, data I/O,
/// directories, extended attributes, privileges and the single-file layouts.
/// </summary>
internal sealed unsafe partial class PassthroughFileSystem : IFileSystem, IDisposable
{
    private readonly DescriptorBudget _budget;
    private readonly NodeDescriptors _descriptors;
    private readonly BackingMounts _mounts;
    private readonly NodeTable _nodes;
    private readonly HandlePool _handles = new();
    private readonly HandleMap<PassthroughFile> _files = new();
    private readonly ReadAheadBuffers _readAheads = new(capacity: 16);
    private readonly HandleMap<PassthroughDirectory> _directories = new();
    private readonly bool _runAsRoot = GetEUid() == 0;

    /// <summary>Mirrors <paramref name="source"/>, with the descriptors this process's open-file limit allows.</summary>
    /// <exception cref="IOException">The source cannot be opened; the message names it and the reason.</exception>
    public PassthroughFileSystem(string source, SourceLayout layout)
        : this(source, layout, DescriptorBudget.ForThisProcess())
    {
    }

    /// <summary>Mirrors <paramref name="source"/> within <paramref name="budget"/>.</summary>
    /// <exception cref="IOException">The source cannot be opened; the message names it and the reason.</exception>
    public PassthroughFileSystem(string source, SourceLayout layout, DescriptorBudget budget)
    {
        Source = source;
        Layout = layout;
        _budget = budget;
        _descriptors = new NodeDescriptors(budget);
        _mounts = new BackingMounts(budget);
        _nodes = new NodeTable(_descriptors, _mounts);
        if (layout == SourceLayout.FileInDirectory)
        {
            _singleName = Encoding.UTF8.GetBytes(Path.GetFileName(source));
            _singleParentFd = OpenPath(Path.GetDirectoryName(source)!, O_DIRECTORY);
            _mounts.HandleOf(_singleParentFd, isDirectory: true, out _); // meets the file's mount
            _nodes.AddRoot(-1, default, isDirectory: true);
            return;
        }

        if (layout == SourceLayout.FileAsRoot)
        {
            var parent = OpenPath(Path.GetDirectoryName(Path.GetFullPath(source))!, O_DIRECTORY);
            _mounts.HandleOf(parent, isDirectory: true, out _);
            _budget.Close(parent);
        }

        var fd = OpenPath(source, layout == SourceLayout.Directory ? O_DIRECTORY : 0);
        var error = NodeStat.Of(fd, out StatxBuffer stx);
        if (error != Errno.Success)
        {
            _budget.Close(fd);
            throw new IOException($"Cannot stat '{source}': {error}.");
        }

        _nodes.AddRoot(fd, stx, layout == SourceLayout.Directory);
    }

    /// <summary>The backing directory or file.</summary>
    public string Source { get; }

    /// <summary>How the source appears at the mount point.</summary>
    public SourceLayout Layout { get; }

    public Errno ReadLink(ulong node, Span<byte> target, out int length)
    {
        length = 0;
        if (_nodes.Find(node) is not { IsVirtual: false } found)
        {
            return Errno.ENOENT;
        }

        using var descriptor = _descriptors.Lease(found, out var error);
        if (error != Errno.Success)
        {
            return error;
        }

        nint result;
        fixed (byte* empty = NodeStat.EmptyPath)
        fixed (byte* t = target)
        {
            result = ReadLinkAt(descriptor.Fd, empty, t, target.Length);
        }

        if (result < 0)
        {
            return LastError;
        }

        length = (int)result;
        return Errno.Success;
    }

    public Errno MakeNode(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, uint rdev, out EntryInfo entry) =>
        Make(context, parent, name, static (dirFd, n, mode, dev, _) => MkNodAt(dirFd, n, mode, dev), mode, NodeStat.DecodeDevice(rdev), default, out entry);

    public Errno MakeDirectory(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, out EntryInfo entry) =>
        Make(context, parent, name, static (dirFd, n, mode, _, _) => MkDirAt(dirFd, n, mode), mode, 0, default, out entry);

    public Errno Symlink(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out EntryInfo entry) =>
        Make(context, parent, name, static (dirFd, n, _, _, t) => SymlinkAt(t, dirFd, n), 0, 0, target, out entry);

    public Errno Link(ulong node, ulong newParent, ReadOnlySpan<byte> newName, out EntryInfo entry)
    {
        entry = default;
        if (_nodes.Find(node) is not { IsVirtual: false } found)
        {
            return Errno.ENOENT;
        }

        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        using var directory = ResolveName(newParent, newName, native, out var error);
        if (error != Errno.Success)
        {
            return error;
        }

        using var descriptor = _descriptors.Lease(found, out error);
        if (error != Errno.Success)
        {
            return error;
        }

        Span<byte> proc = stackalloc byte[ProcPath.MaxLength];
        ProcPath.Format(descriptor.Fd, proc);
        fixed (byte* p = proc)
        fixed (byte* n = native)
        {
            error = Check(LinkAt(AT_FDCWD, p, directory.Fd, n, AT_SYMLINK_FOLLOW));
        }

        return error != Errno.Success ? error : LookupAt(directory.Fd, newName, out entry);
    }

    public Errno Unlink(ulong parent, ReadOnlySpan<byte> name) => RemoveName(parent, name, 0);

    public Errno RemoveDirectory(ulong parent, ReadOnlySpan<byte> name) => RemoveName(parent, name, AT_REMOVEDIR);

    public Errno Rename(ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, RenameFlags flags)
    {
        Span<byte> oldNative = stackalloc byte[NativeName.BufferSize];
        Span<byte> newNative = stackalloc byte[NativeName.BufferSize];
        using var from = ResolveName(parent, name, oldNative, out var error);
        if (error != Errno.Success)
        {
            return error;
        }

        using var to = ResolveName(newParent, newName, newNative, out error);
        if (error != Errno.Success)
        {
            return error;
        }

        fixed (byte* o = oldNative)
        fixed (byte* n = newNative)
        {
            return Check(RenameAt2(from.Fd, o, to.Fd, n, (uint)flags));
        }
    }

    public void Dispose()
    {
        foreach (var file in _files.Snapshot())
        {
            file.Close();
        }

        foreach (var directory in _directories.Snapshot())
        {
            directory.Close();
        }

        _readAheads.Dispose();
        _descriptors.Dispose();
        _mounts.Dispose();
        if (_singleParentFd >= 0)
        {
            _budget.Close(_singleParentFd);
        }
    }

    // An O_PATH descriptor of a path of the source, counted in the budget.
    private int OpenPath(string path, int flags)
    {
        var native = Encoding.UTF8.GetBytes(path + "\0");
        int fd;
        fixed (byte* p = native)
        {
            fd = Interop.Sys.Open(p, O_PATH | O_CLOEXEC | flags, 0);
        }

        if (fd < 0)
        {
            throw new IOException($"Cannot open '{path}': {LastError}.");
        }

        _budget.Count(1);
        return fd;
    }

    private delegate int MakeCall(int dirFd, byte* name, uint mode, ulong device, byte* target);

    // mknod, mkdir and symlink: create the name, give it to the caller, look it up.
    private Errno Make(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, MakeCall make, uint mode, ulong device, ReadOnlySpan<byte> target, out EntryInfo entry)
    {
        entry = default;
        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        using var directory = ResolveName(parent, name, native, out var error);
        if (error != Errno.Success)
        {
            return error;
        }

        var nativeTarget = target.Length < 4096 ? stackalloc byte[target.Length + 1] : new byte[target.Length + 1];
        target.CopyTo(nativeTarget);
        nativeTarget[^1] = 0;
        fixed (byte* n = native)
        fixed (byte* t = nativeTarget)
        {
            error = Check(make(directory.Fd, n, mode, device, t));
            if (error != Errno.Success)
            {
                return error;
            }

            // Only mknod's nodes: directories keep their bits through a chown, and symlinks have none.
            if (ChownNew(context, directory.Fd, n) && HasSetId(mode) && (mode & FileModes.TypeMask) is not (0 or FileModes.Directory))
            {
                FChModAt(directory.Fd, n, mode & 0xFFF, 0);
            }
        }

        return LookupAt(directory.Fd, name, out entry);
    }

    // A name inside a real directory node, NUL-terminated for libc, and the directory's descriptor, lent (dispose
    // it). The single-file source's directory is fixed.
    private NodeDescriptor ResolveName(ulong parent, ReadOnlySpan<byte> name, Span<byte> native, out Errno error)
    {
        var directory = _nodes.Find(parent);
        error = directory is null ? Errno.ENOENT
            : directory.IsVirtual ? Errno.EPERM
            : !NativeName.TryCopy(name, native) ? Errno.ENAMETOOLONG
            : Errno.Success;
        return error == Errno.Success ? _descriptors.Lease(directory!, out error) : NodeDescriptor.None;
    }

    private Errno RemoveName(ulong parent, ReadOnlySpan<byte> name, int flags)
    {
        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        using var directory = ResolveName(parent, name, native, out var error);
        if (error != Errno.Success)
        {
            return error;
        }

        fixed (byte* n = native)
        {
            return Check(UnlinkAt(directory.Fd, n, flags));
        }
    }

    // We run as root, so what we create is root's. Give it to the caller, as a local filesystem would; a set-group-id
    // directory keeps handing down its own group. Returns whether the owner changed.
    private bool ChownNew(in RequestContext context, int directoryFd, byte* name)
    {
        if (!_runAsRoot || (context.Uid == 0 && context.Gid == 0))
        {
            return false;
        }

        var inheritGroup = NodeStat.Of(directoryFd, out NodeAttributes parent) == Errno.Success && (parent.Mode & FileModes.SetGroupId) != 0;
        return FChOwnAt(directoryFd, name, context.Uid, inheritGroup ? uint.MaxValue : context.Gid, AT_SYMLINK_NOFOLLOW) == 0;
    }

    // A chown clears the set-id bits of what is not a directory, even root's, so a file created with them for the
    // caller is given them back after ChownNew. The kernel has already dropped a set-group-ID bit the caller may not
    // have (mode_strip_sgid), so the mode asked for is the one to restore.
    private static bool HasSetId(uint mode) => (mode & (SetUserId | FileModes.SetGroupId)) != 0;
}
