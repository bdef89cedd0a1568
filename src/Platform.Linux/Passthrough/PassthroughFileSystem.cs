using System.Text;
using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// Mirrors a backing directory, or a single file, as go-fuse's loopback and libfuse's passthrough_ll do: each known
/// inode holds an O_PATH descriptor (<see cref="NodeTable"/>) and every operation is one *at() call relative to it, so
/// nodes follow their files through renames made behind our back and unlinked files stay usable while open. Each
/// method makes one backing call and returns its errno; no throttling here (the core's ThrottledFileSystem wraps
/// this). This file holds names (lookup, create, link, remove, rename); the other parts: attributes, data I/O,
/// directories, extended attributes and the single-file layouts.
/// </summary>
internal sealed unsafe partial class PassthroughFileSystem : IFileSystem, IDisposable
{
    private readonly NodeTable _nodes = new();
    private readonly HandlePool _handles = new();
    private readonly HandleMap<PassthroughFile> _files = new();
    private readonly HandleMap<PassthroughDirectory> _directories = new();
    private readonly bool _runAsRoot = GetEUid() == 0;

    /// <summary>Mirrors <paramref name="source"/>.</summary>
    /// <exception cref="IOException">The source cannot be opened; the message names it and the reason.</exception>
    public PassthroughFileSystem(string source, SourceLayout layout)
    {
        Source = source;
        Layout = layout;
        if (layout == SourceLayout.FileInDirectory)
        {
            _singleName = Encoding.UTF8.GetBytes(Path.GetFileName(source));
            _singleParentFd = OpenPath(Path.GetDirectoryName(source)!, O_DIRECTORY);
            _nodes.AddRoot(new PassthroughNode(FileSystemIds.Root, -1, 0, 0, isDirectory: true));
            return;
        }

        var fd = OpenPath(source, layout == SourceLayout.Directory ? O_DIRECTORY : 0);
        var error = NodeStat.Of(fd, out StatxBuffer stx);
        if (error != Errno.Success)
        {
            Close(fd);
            throw new IOException($"Cannot stat '{source}': {error}.");
        }

        _nodes.AddRoot(new PassthroughNode(FileSystemIds.Root, fd, NodeStat.Device(stx), stx.Ino, layout == SourceLayout.Directory));
    }

    /// <summary>The backing directory or file.</summary>
    public string Source { get; }

    /// <summary>How the source appears at the mount point.</summary>
    public SourceLayout Layout { get; }

    /// <summary>
    /// The path of a node relative to the source: "" for a root directory, the file's name when the mount is a single
    /// file (so rules such as <c>*.qcow2</c> match it), otherwise where the inode is now, read from its descriptor.
    /// </summary>
    public string? PathOf(ulong node)
    {
        if (_nodes.Find(node) is not { } found)
        {
            return null;
        }

        if (found.Id == FileSystemIds.Root)
        {
            return Layout == SourceLayout.FileAsRoot ? Path.GetFileName(Source) : "";
        }

        if (_singleName is not null)
        {
            return PathText.Decode(_singleName);
        }

        // The O_PATH descriptor knows where its inode lives now, renames included.
        Span<byte> proc = stackalloc byte[ProcPath.MaxLength];
        ProcPath.Format(found.Fd, proc);
        var target = new byte[4096];
        nint length;
        fixed (byte* p = proc)
        fixed (byte* t = target)
        {
            length = ReadLinkAt(AT_FDCWD, p, t, target.Length);
        }

        if (length < 0)
        {
            return null;
        }

        var absolute = PathText.Decode(target.AsSpan(0, (int)length));
        return absolute.StartsWith(Source, StringComparison.Ordinal) ? absolute[Source.Length..].TrimStart('/') : absolute;
    }

    public Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out EntryInfo entry)
    {
        entry = default;
        if (_nodes.Find(parent) is not { } directory)
        {
            return Errno.ENOENT;
        }

        var dirFd = directory.Fd;
        if (dirFd < 0 && !TrySingleFileParent(name, out dirFd))
        {
            return Errno.ENOENT;
        }

        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        if (!NativeName.TryCopy(name, native))
        {
            return Errno.ENAMETOOLONG;
        }

        int fd;
        fixed (byte* n = native)
        {
            fd = OpenAt(dirFd, n, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
        }

        return fd < 0 ? LastError : Register(fd, out entry);
    }

    public void Forget(ulong node, ulong lookups) => _nodes.Forget(node, lookups);

    public Errno ReadLink(ulong node, Span<byte> target, out int length)
    {
        length = 0;
        if (_nodes.Find(node) is not { Fd: >= 0 } found)
        {
            return Errno.ENOENT;
        }

        nint result;
        fixed (byte* empty = NodeStat.EmptyPath)
        fixed (byte* t = target)
        {
            result = ReadLinkAt(found.Fd, empty, t, target.Length);
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
        if (_nodes.Find(node) is not { Fd: >= 0 } found)
        {
            return Errno.ENOENT;
        }

        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        var error = ResolveName(newParent, newName, native, out var directory);
        if (error != Errno.Success)
        {
            return error;
        }

        Span<byte> proc = stackalloc byte[ProcPath.MaxLength];
        ProcPath.Format(found.Fd, proc);
        fixed (byte* p = proc)
        fixed (byte* n = native)
        {
            error = Check(LinkAt(AT_FDCWD, p, directory.Fd, n, AT_SYMLINK_FOLLOW));
        }

        return error != Errno.Success ? error : Lookup(newParent, newName, out entry);
    }

    public Errno Unlink(ulong parent, ReadOnlySpan<byte> name) => RemoveName(parent, name, 0);

    public Errno RemoveDirectory(ulong parent, ReadOnlySpan<byte> name) => RemoveName(parent, name, AT_REMOVEDIR);

    public Errno Rename(ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, RenameFlags flags)
    {
        Span<byte> oldNative = stackalloc byte[NativeName.BufferSize];
        Span<byte> newNative = stackalloc byte[NativeName.BufferSize];
        var error = ResolveName(parent, name, oldNative, out var from);
        if (error == Errno.Success)
        {
            error = ResolveName(newParent, newName, newNative, out var to);
            if (error == Errno.Success)
            {
                fixed (byte* o = oldNative)
                fixed (byte* n = newNative)
                {
                    error = Check(RenameAt2(from.Fd, o, to.Fd, n, (uint)flags));
                }
            }
        }

        return error;
    }

    public void Dispose()
    {
        foreach (var file in _files.Snapshot())
        {
            file.Close();
        }

        foreach (var directory in _directories.Snapshot().Where(d => d.Fd >= 0))
        {
            Close(directory.Fd);
        }

        _nodes.Dispose();
        if (_singleParentFd >= 0)
        {
            Close(_singleParentFd);
        }
    }

    private static int OpenPath(string path, int flags)
    {
        var native = Encoding.UTF8.GetBytes(path + "\0");
        int fd;
        fixed (byte* p = native)
        {
            fd = Interop.Sys.Open(p, O_PATH | O_CLOEXEC | flags, 0);
        }

        return fd >= 0 ? fd : throw new IOException($"Cannot open '{path}': {LastError}.");
    }

    // Takes ownership of an O_PATH descriptor: the node it names gains one lookup.
    private Errno Register(int fd, out EntryInfo entry)
    {
        entry = default;
        var error = NodeStat.Of(fd, out StatxBuffer stx);
        if (error != Errno.Success)
        {
            Close(fd);
            return error;
        }

        if (_nodes.Register(fd, NodeStat.Device(stx), stx.Ino, (stx.Mode & S_IFMT) == S_IFDIR) is not { } node)
        {
            return Errno.ENFILE;
        }

        entry = new EntryInfo(node.Id, NodeStat.ToAttributes(stx));
        return Errno.Success;
    }

    private delegate int MakeCall(int dirFd, byte* name, uint mode, ulong device, byte* target);

    // mknod, mkdir and symlink: create the name, give it to the caller, look it up.
    private Errno Make(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, MakeCall make, uint mode, ulong device, ReadOnlySpan<byte> target, out EntryInfo entry)
    {
        entry = default;
        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        var error = ResolveName(parent, name, native, out var directory);
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
            if (ChownNew(context, directory, n) && HasSetId(mode) && (mode & FileModes.TypeMask) is not (0 or FileModes.Directory))
            {
                FChModAt(directory.Fd, n, mode & 0xFFF, 0);
            }
        }

        return Lookup(directory.Id, name, out entry);
    }

    // A name inside a real directory node, NUL-terminated for libc. The single-file source's directory is fixed.
    private Errno ResolveName(ulong parent, ReadOnlySpan<byte> name, Span<byte> native, out PassthroughNode directory)
    {
        directory = _nodes.Find(parent)!;
        if (directory is null)
        {
            return Errno.ENOENT;
        }

        if (directory.Fd < 0)
        {
            return Errno.EPERM;
        }

        return NativeName.TryCopy(name, native) ? Errno.Success : Errno.ENAMETOOLONG;
    }

    private Errno RemoveName(ulong parent, ReadOnlySpan<byte> name, int flags)
    {
        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        var error = ResolveName(parent, name, native, out var directory);
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
    private bool ChownNew(in RequestContext context, PassthroughNode directory, byte* name)
    {
        if (!_runAsRoot || (context.Uid == 0 && context.Gid == 0))
        {
            return false;
        }

        var inheritGroup = StatNode(directory, out var parent) == Errno.Success && (parent.Mode & FileModes.SetGroupId) != 0;
        return FChOwnAt(directory.Fd, name, context.Uid, inheritGroup ? uint.MaxValue : context.Gid, AT_SYMLINK_NOFOLLOW) == 0;
    }

    // A chown clears the set-id bits of what is not a directory, even root's, so a file created with them for the
    // caller is given them back after ChownNew. The kernel has already dropped a set-group-ID bit the caller may not
    // have (mode_strip_sgid), so the mode asked for is the one to restore.
    private static bool HasSetId(uint mode) => (mode & (SetUserId | FileModes.SetGroupId)) != 0;
}
