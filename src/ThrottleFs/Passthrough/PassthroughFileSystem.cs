using System.Text;
using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Passthrough;

/// <summary>
/// Mirrors a backing directory, or a single file, as go-fuse's loopback and libfuse's passthrough_ll do: each known
/// inode holds an O_PATH descriptor and every operation is one *at() call relative to it, so nodes follow their
/// files through renames made behind our back and unlinked files stay usable while open. Each method makes one
/// backing call and returns its errno. No throttling here; <see cref="Throttling.ThrottledFileSystem"/> wraps this.
/// </summary>
public sealed unsafe class PassthroughFileSystem : IFileSystem, IDisposable
{
    /// <summary>The root's node id, as FUSE fixes it.</summary>
    public const ulong RootId = 1;

    private readonly Lock _nodesLock = new();
    private readonly Dictionary<ulong, PassthroughNode> _nodes = [];
    private readonly Dictionary<(ulong Device, ulong Inode), PassthroughNode> _byInode = [];
    private readonly HandleTable<PassthroughFile> _files = new();
    private readonly HandleTable<PassthroughDirectory> _directories = new();
    private readonly bool _runAsRoot = GetEUid() == 0;
    private readonly byte[]? _singleName;
    private readonly int _singleParentFd = -1;
    private ulong _nextId = RootId + 1;

    // The C empty string "" for *at(fd, "", AT_EMPTY_PATH) calls. Not ""u8: an empty span pins to a null pointer,
    // which kernels before 6.11 answer with EFAULT.
    private static ReadOnlySpan<byte> EmptyPath => "\0"u8;

    private PassthroughFileSystem(string source, SourceLayout layout)
    {
        Source = source;
        Layout = layout;
        if (layout == SourceLayout.FileInDirectory)
        {
            _singleName = Encoding.UTF8.GetBytes(Path.GetFileName(source));
            _singleParentFd = OpenPath(Path.GetDirectoryName(source)!, O_DIRECTORY);
            var virtualRoot = new PassthroughNode(RootId, -1, 0, 0, isDirectory: true) { Lookups = 1 };
            _nodes.Add(RootId, virtualRoot);
            return;
        }

        var fd = OpenPath(source, layout == SourceLayout.Directory ? O_DIRECTORY : 0);
        StatxBuffer stx;
        if (Statx(fd, EmptyPath, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, &stx) != Errno.Success)
        {
            throw new IOException($"Cannot stat '{source}': {LastError}.");
        }

        var root = new PassthroughNode(RootId, fd, Device(stx), stx.Ino, layout == SourceLayout.Directory) { Lookups = 1 };
        _nodes.Add(RootId, root);
        _byInode.Add((root.Device, root.Inode), root);
    }

    /// <summary>The backing directory or file.</summary>
    public string Source { get; }

    /// <summary>How the source appears at the mount point.</summary>
    public SourceLayout Layout { get; }

    /// <summary>Mirrors <paramref name="source"/>.</summary>
    /// <exception cref="IOException">The source cannot be opened; the message names it and the reason.</exception>
    public static PassthroughFileSystem Create(string source, SourceLayout layout) => new(source, layout);

    /// <summary>
    /// The path of a node relative to the source, for policy and statistics: "" for a root directory, the file's name
    /// when the mount is a single file (so rules such as <c>*.qcow2</c> match it).
    /// </summary>
    public string? RelativePath(ulong node)
    {
        var found = Find(node);
        if (found is null)
        {
            return null;
        }

        if (found.Id == RootId)
        {
            return Layout == SourceLayout.FileAsRoot ? Path.GetFileName(Source) : "";
        }

        if (_singleName is not null)
        {
            return Encoding.UTF8.GetString(_singleName);
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

        var absolute = Encoding.UTF8.GetString(target, 0, (int)length);
        return absolute.StartsWith(Source, StringComparison.Ordinal) ? absolute[Source.Length..].TrimStart('/') : absolute;
    }

    public Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out EntryInfo entry)
    {
        entry = default;
        if (Find(parent) is not { } directory)
        {
            return Errno.ENOENT;
        }

        var dirFd = directory.Fd;
        if (dirFd < 0)
        {
            if (!name.SequenceEqual(_singleName))
            {
                return Errno.ENOENT;
            }

            dirFd = _singleParentFd;
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

    public void Forget(ulong node, ulong lookups)
    {
        PassthroughNode? dead = null;
        lock (_nodesLock)
        {
            if (node == RootId || !_nodes.TryGetValue(node, out var found))
            {
                return;
            }

            found.Lookups = found.Lookups > lookups ? found.Lookups - lookups : 0;
            if (found.Lookups == 0)
            {
                _nodes.Remove(node);
                _byInode.Remove((found.Device, found.Inode));
                dead = found;
            }
        }

        if (dead is not null)
        {
            Close(dead.Fd);
        }
    }

    public Errno GetAttributes(ulong node, ulong? handle, out NodeAttributes attributes)
    {
        attributes = default;
        if (Find(node) is not { } found)
        {
            return Errno.ENOENT;
        }

        return StatNode(found, out attributes);
    }

    public Errno SetAttributes(ulong node, in AttributeChanges changes, out NodeAttributes attributes)
    {
        attributes = default;
        var found = Find(node);
        if (found is null || found.Fd < 0)
        {
            return found is null ? Errno.ENOENT : Errno.EPERM;
        }

        var fields = changes.Fields;
        Span<byte> proc = stackalloc byte[ProcPath.MaxLength];
        ProcPath.Format(found.Fd, proc);
        var error = StatNode(found, out var current);
        var isSymlink = current.Type == S_IFLNK;
        fixed (byte* p = proc)
        {
            if (error == Errno.Success && (fields & AttributeFields.Mode) != 0)
            {
                // chmod through the /proc link would follow a symlink to its target; Linux has no symlink modes.
                error = isSymlink ? Errno.EOPNOTSUPP : Check(FChModAt(AT_FDCWD, p, changes.Mode & 0xFFF, 0));
            }

            if (error == Errno.Success && (fields & (AttributeFields.Uid | AttributeFields.Gid)) != 0)
            {
                var uid = (fields & AttributeFields.Uid) != 0 ? changes.Uid : uint.MaxValue;
                var gid = (fields & AttributeFields.Gid) != 0 ? changes.Gid : uint.MaxValue;
                fixed (byte* empty = EmptyPath)
                {
                    error = Check(FChOwnAt(found.Fd, empty, uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
                }
            }

            if (error == Errno.Success && (fields & AttributeFields.Size) != 0)
            {
                error = changes.Handle is { } h && _files.Get(h) is { } file
                    ? Check(FTruncate(file.Fd, changes.Size))
                    : isSymlink ? Errno.EINVAL : Check(Truncate(p, changes.Size));
            }

            if (error == Errno.Success && (fields & (AttributeFields.AccessTime | AttributeFields.ModifyTime)) != 0)
            {
                var times = stackalloc TimeSpec[2];
                times[0] = Time(fields, AttributeFields.AccessTime, AttributeFields.AccessTimeNow, changes.AccessSeconds, changes.AccessNanoseconds);
                times[1] = Time(fields, AttributeFields.ModifyTime, AttributeFields.ModifyTimeNow, changes.ModifySeconds, changes.ModifyNanoseconds);
                fixed (byte* empty = EmptyPath)
                {
                    error = Check(UTimensAt(found.Fd, empty, times, AT_EMPTY_PATH));
                }

                if (error == Errno.EINVAL && !isSymlink)
                {
                    error = Check(UTimensAt(AT_FDCWD, p, times, 0)); // kernels before AT_EMPTY_PATH support here
                }
            }
        }

        return error != Errno.Success ? error : StatNode(found, out attributes);
    }

    public Errno ReadLink(ulong node, Span<byte> target, out int length)
    {
        length = 0;
        if (Find(node) is not { Fd: >= 0 } found)
        {
            return Errno.ENOENT;
        }

        nint result;
        fixed (byte* empty = EmptyPath)
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
        Make(context, parent, name, static (dirFd, n, mode, dev, _) => MkNodAt(dirFd, n, mode, dev), mode, DecodeDevice(rdev), default, out entry);

    public Errno MakeDirectory(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, out EntryInfo entry) =>
        Make(context, parent, name, static (dirFd, n, mode, _, _) => MkDirAt(dirFd, n, mode), mode, 0, default, out entry);

    public Errno Symlink(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out EntryInfo entry) =>
        Make(context, parent, name, static (dirFd, n, _, _, t) => SymlinkAt(t, dirFd, n), 0, 0, target, out entry);

    public Errno Link(ulong node, ulong newParent, ReadOnlySpan<byte> newName, out EntryInfo entry)
    {
        entry = default;
        if (Find(node) is not { Fd: >= 0 } found)
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

    public Errno Open(in RequestContext context, ulong node, int flags, out OpenedFile file)
    {
        file = default;
        if (Find(node) is not { Fd: >= 0 } found)
        {
            return Errno.ENOENT;
        }

        Span<byte> proc = stackalloc byte[ProcPath.MaxLength];
        ProcPath.Format(found.Fd, proc);
        var backingFlags = (flags & ~(O_CREAT | O_EXCL | O_NOCTTY)) | O_CLOEXEC;
        int fd;
        fixed (byte* p = proc)
        {
            fd = Interop.Sys.Open(p, backingFlags, 0);
            if (fd < 0 && LastError == Errno.EINVAL && (backingFlags & O_DIRECT) != 0)
            {
                // The backing filesystem has no O_DIRECT (tmpfs on older kernels, some network filesystems).
                backingFlags &= ~O_DIRECT;
                fd = Interop.Sys.Open(p, backingFlags, 0);
            }
        }

        if (fd < 0)
        {
            return LastError;
        }

        file = new OpenedFile(_files.Add(new PassthroughFile(fd, backingFlags)), DirectIo: true);
        return Errno.Success;
    }

    public Errno Create(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, int flags, uint mode, out EntryInfo entry, out OpenedFile file)
    {
        entry = default;
        file = default;
        if (Find(parent) is not { } directory)
        {
            return Errno.ENOENT;
        }

        if (directory.Fd < 0)
        {
            return Errno.EPERM;
        }

        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        if (!NativeName.TryCopy(name, native))
        {
            return Errno.ENAMETOOLONG;
        }

        var backingFlags = (flags & ~O_NOCTTY) | O_CREAT | O_CLOEXEC;
        int fd;
        fixed (byte* n = native)
        {
            fd = OpenAt(directory.Fd, n, backingFlags, mode);
            if (fd < 0 && LastError == Errno.EINVAL && (backingFlags & O_DIRECT) != 0)
            {
                backingFlags &= ~O_DIRECT;
                fd = OpenAt(directory.Fd, n, backingFlags, mode);
            }

            if (fd >= 0)
            {
                ChownNew(context, directory, n);
            }
        }

        if (fd < 0)
        {
            return LastError;
        }

        // The node comes from the descriptor just opened, not the name, so a concurrent rename cannot swap it.
        Span<byte> proc = stackalloc byte[ProcPath.MaxLength];
        ProcPath.Format(fd, proc);
        int pathFd;
        fixed (byte* p = proc)
        {
            pathFd = Interop.Sys.Open(p, O_PATH | O_CLOEXEC, 0);
        }

        var error = pathFd < 0 ? LastError : Register(pathFd, out entry);
        if (error != Errno.Success)
        {
            Close(fd);
            return error;
        }

        file = new OpenedFile(_files.Add(new PassthroughFile(fd, backingFlags & ~(O_CREAT | O_EXCL | O_TRUNC))), DirectIo: true);
        return Errno.Success;
    }

    public ValueTask<IoResult> ReadAsync(ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken) =>
        new(Read(handle, offset, destination.Span));

    public ValueTask<IoResult> WriteAsync(ulong handle, long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken) =>
        new(Write(handle, offset, source.Span));

    public ValueTask<IoResult> CopyFileRangeAsync(ulong handleIn, long offsetIn, ulong handleOut, long offsetOut, long length, CancellationToken cancellationToken)
    {
        if (_files.Get(handleIn) is not { } input || _files.Get(handleOut) is not { } output)
        {
            return new(IoResult.Failed(Errno.EBADF));
        }

        var copied = CopyFileRange(input.Fd, &offsetIn, output.Fd, &offsetOut, (nint)length, 0);
        if (copied < 0 && LastError == Errno.EINVAL && (input.IsDirect || output.IsDirect))
        {
            copied = CopyFileRange(input.IsDirect ? input.BufferedFd() : input.Fd, &offsetIn, output.IsDirect ? output.BufferedFd() : output.Fd, &offsetOut, (nint)length, 0);
        }

        return new(copied < 0 ? IoResult.Failed(LastError) : IoResult.Done(copied));
    }

    public Errno Flush(ulong handle) => _files.Get(handle) is null ? Errno.EBADF : Errno.Success;

    public Errno Release(ulong handle)
    {
        if (_files.Remove(handle) is not { } file)
        {
            return Errno.EBADF;
        }

        file.Close();
        return Errno.Success;
    }

    public Errno Fsync(ulong handle, bool dataOnly)
    {
        if (_files.Get(handle) is not { } file)
        {
            return Errno.EBADF;
        }

        var buffered = file.IsDirect ? file.BufferedFd() : -1;
        if (buffered >= 0)
        {
            var error = Check(dataOnly ? FDataSync(buffered) : FSync(buffered));
            if (error != Errno.Success)
            {
                return error;
            }
        }

        return Check(dataOnly ? FDataSync(file.Fd) : FSync(file.Fd));
    }

    public Errno Allocate(ulong handle, int mode, long offset, long length) =>
        _files.Get(handle) is { } file ? Check(FAllocate(file.Fd, mode, offset, length)) : Errno.EBADF;

    public Errno Seek(ulong handle, long offset, int whence, out long result)
    {
        result = 0;
        if (_files.Get(handle) is not { } file)
        {
            return Errno.EBADF;
        }

        result = LSeek(file.Fd, offset, whence);
        return result < 0 ? LastError : Errno.Success;
    }

    public Errno OpenDirectory(ulong node, out OpenedFile directory)
    {
        directory = default;
        if (Find(node) is not { } found)
        {
            return Errno.ENOENT;
        }

        var fd = -1;
        if (found.Fd >= 0)
        {
            fixed (byte* dot = "."u8)
            {
                fd = OpenAt(found.Fd, dot, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
            }

            if (fd < 0)
            {
                return LastError;
            }
        }

        directory = new OpenedFile(_directories.Add(new PassthroughDirectory(found, fd)), DirectIo: false);
        return Errno.Success;
    }

    public Errno ReadDirectory(ulong handle, long offset, IDirectoryWriter writer)
    {
        if (_directories.Get(handle) is not { } directory)
        {
            return Errno.EBADF;
        }

        return directory.Fd < 0 ? ReadSingleFileDirectory(directory, offset, writer) : ReadBackingDirectory(directory, offset, writer);
    }

    public Errno ReleaseDirectory(ulong handle)
    {
        if (_directories.Remove(handle) is not { } directory)
        {
            return Errno.EBADF;
        }

        if (directory.Fd >= 0)
        {
            Close(directory.Fd);
        }

        return Errno.Success;
    }

    public Errno FsyncDirectory(ulong handle, bool dataOnly)
    {
        if (_directories.Get(handle) is not { } directory)
        {
            return Errno.EBADF;
        }

        return directory.Fd < 0 ? Errno.Success : Check(dataOnly ? FDataSync(directory.Fd) : FSync(directory.Fd));
    }

    public Errno GetVolumeStatistics(ulong node, out VolumeStatistics statistics)
    {
        statistics = default;
        var fd = Find(node) is { Fd: >= 0 } found ? found.Fd : _singleParentFd;
        StatFsBuffer buffer;
        if (FStatFs(fd, &buffer) < 0)
        {
            return LastError;
        }

        statistics = new VolumeStatistics(
            buffer.Blocks, buffer.BlocksFree, buffer.BlocksAvailable, buffer.Files, buffer.FilesFree,
            (uint)buffer.BlockSize, (uint)buffer.NameMax, (uint)buffer.FragmentSize);
        return Errno.Success;
    }

    // The mount uses default_permissions: the kernel checks access from our attributes and never asks; this only
    // answers a platform that does.
    public Errno Access(ulong node, int mask) => Find(node) is null ? Errno.ENOENT : Errno.Success;

    public Errno SetExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags)
    {
        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        var error = ResolveXattr(node, name, native, out var path, out var symlink);
        if (error != Errno.Success)
        {
            return error;
        }

        fixed (byte* p = path)
        fixed (byte* n = native)
        fixed (byte* v = value)
        {
            return Check(symlink ? LSetXattr(p, n, v, value.Length, flags) : SetXattr(p, n, v, value.Length, flags));
        }
    }

    public Errno GetExtendedAttribute(ulong node, ReadOnlySpan<byte> name, Span<byte> value, out int length)
    {
        length = 0;
        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        var error = ResolveXattr(node, name, native, out var path, out var symlink);
        if (error != Errno.Success)
        {
            return error;
        }

        fixed (byte* p = path)
        fixed (byte* n = native)
        fixed (byte* v = value)
        {
            var got = symlink ? LGetXattr(p, n, v, value.Length) : GetXattr(p, n, v, value.Length);
            length = (int)Math.Max(got, 0);
            return got < 0 ? LastError : Errno.Success;
        }
    }

    public Errno ListExtendedAttributes(ulong node, Span<byte> list, out int length)
    {
        length = 0;
        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        var error = ResolveXattr(node, "-"u8, native, out var path, out var symlink);
        if (error != Errno.Success)
        {
            return error;
        }

        fixed (byte* p = path)
        fixed (byte* l = list)
        {
            var got = symlink ? LListXattr(p, l, list.Length) : ListXattr(p, l, list.Length);
            length = (int)Math.Max(got, 0);
            return got < 0 ? LastError : Errno.Success;
        }
    }

    public Errno RemoveExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name)
    {
        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        var error = ResolveXattr(node, name, native, out var path, out var symlink);
        if (error != Errno.Success)
        {
            return error;
        }

        fixed (byte* p = path)
        fixed (byte* n = native)
        {
            return Check(symlink ? LRemoveXattr(p, n) : RemoveXattr(p, n));
        }
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

        lock (_nodesLock)
        {
            foreach (var node in _nodes.Values.Where(n => n.Fd >= 0))
            {
                Close(node.Fd);
            }

            _nodes.Clear();
            _byInode.Clear();
        }

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

    private static Errno Statx(int fd, ReadOnlySpan<byte> path, int flags, StatxBuffer* buffer)
    {
        fixed (byte* p = path)
        {
            return Check(Interop.Sys.Statx(fd, p, flags, STATX_BASIC_STATS, buffer));
        }
    }

    private static ulong Device(in StatxBuffer stx) => ((ulong)stx.DevMajor << 32) | stx.DevMinor;

    // The kernel's "new" dev_t encoding, which FUSE uses for rdev.
    private static uint EncodeDevice(uint major, uint minor) => (minor & 0xFF) | (major << 8) | ((minor & ~0xFFu) << 12);

    private static ulong DecodeDevice(uint rdev)
    {
        ulong major = (rdev & 0xFFF00) >> 8;
        ulong minor = (rdev & 0xFF) | ((rdev >> 12) & 0xFFF00);
        return ((major & 0xFFFFF000) << 32) | ((major & 0xFFF) << 8) | ((minor & 0xFFFFFF00) << 12) | (minor & 0xFF);
    }

    private static NodeAttributes ToAttributes(in StatxBuffer stx) => new(
        stx.Ino, stx.Size, stx.Blocks,
        stx.Atime.Seconds, stx.Atime.Nanoseconds,
        stx.Mtime.Seconds, stx.Mtime.Nanoseconds,
        stx.Ctime.Seconds, stx.Ctime.Nanoseconds,
        stx.Mode, stx.Nlink, stx.Uid, stx.Gid,
        EncodeDevice(stx.RdevMajor, stx.RdevMinor), stx.BlockSize);

    private static TimeSpec Time(AttributeFields fields, AttributeFields set, AttributeFields now, long seconds, uint nanoseconds) =>
        (fields & now) != 0 ? new TimeSpec { Nanoseconds = UTIME_NOW }
        : (fields & set) != 0 ? new TimeSpec { Seconds = seconds, Nanoseconds = nanoseconds }
        : new TimeSpec { Nanoseconds = UTIME_OMIT };

    private PassthroughNode? Find(ulong node)
    {
        lock (_nodesLock)
        {
            return _nodes.GetValueOrDefault(node);
        }
    }

    private Errno StatNode(PassthroughNode node, out NodeAttributes attributes)
    {
        StatxBuffer stx;
        var error = Statx(node.Fd < 0 ? _singleParentFd : node.Fd, EmptyPath, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, &stx);
        attributes = error == Errno.Success ? ToAttributes(stx) : default;
        return error;
    }

    // Takes ownership of an O_PATH descriptor: the node it names gains one lookup.
    private Errno Register(int fd, out EntryInfo entry)
    {
        StatxBuffer stx;
        var error = Statx(fd, EmptyPath, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, &stx);
        if (error != Errno.Success)
        {
            Close(fd);
            entry = default;
            return error;
        }

        PassthroughNode node;
        var duplicate = false;
        lock (_nodesLock)
        {
            var key = (Device(stx), stx.Ino);
            if (_byInode.TryGetValue(key, out var known))
            {
                node = known;
                duplicate = true;
            }
            else
            {
                node = new PassthroughNode(_nextId++, fd, key.Item1, key.Ino, (stx.Mode & S_IFMT) == S_IFDIR);
                _nodes.Add(node.Id, node);
                _byInode.Add(key, node);
            }

            node.Lookups++;
        }

        if (duplicate)
        {
            Close(fd);
        }

        entry = new EntryInfo(node.Id, ToAttributes(stx));
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

            ChownNew(context, directory, n);
        }

        return Lookup(directory.Id, name, out entry);
    }

    // A name inside a real directory node, NUL-terminated for libc. The single-file source's directory is fixed.
    private Errno ResolveName(ulong parent, ReadOnlySpan<byte> name, Span<byte> native, out PassthroughNode directory)
    {
        directory = Find(parent)!;
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
    // directory keeps handing down its own group.
    private void ChownNew(in RequestContext context, PassthroughNode directory, byte* name)
    {
        if (!_runAsRoot || (context.Uid == 0 && context.Gid == 0))
        {
            return;
        }

        var inheritGroup = StatNode(directory, out var parent) == Errno.Success && (parent.Mode & 0x400) != 0;
        FChOwnAt(directory.Fd, name, context.Uid, inheritGroup ? uint.MaxValue : context.Gid, AT_SYMLINK_NOFOLLOW);
    }

    // Where to apply an xattr call. Files and directories go through their /proc descriptor link, which no rename can
    // redirect. A symlink's link would lead to its target, and Linux has no xattr call on an O_PATH descriptor, so a
    // symlink is reached by the path it has now, with the l* calls (a rename at that very moment can still race).
    private Errno ResolveXattr(ulong node, ReadOnlySpan<byte> name, Span<byte> native, out byte[] path, out bool symlink)
    {
        path = [];
        symlink = false;
        if (Find(node) is not { } found)
        {
            return Errno.ENOENT;
        }

        if (!NativeName.TryCopy(name, native))
        {
            return Errno.ERANGE;
        }

        Span<byte> proc = stackalloc byte[ProcPath.MaxLength];
        ProcPath.Format(found.Fd < 0 ? _singleParentFd : found.Fd, proc);
        var error = StatNode(found, out var attributes);
        if (error != Errno.Success)
        {
            return error;
        }

        symlink = attributes.Type == S_IFLNK;
        if (!symlink)
        {
            path = proc.ToArray();
            return Errno.Success;
        }

        var target = new byte[4097];
        nint length;
        fixed (byte* p = proc)
        fixed (byte* t = target)
        {
            length = ReadLinkAt(AT_FDCWD, p, t, target.Length - 1);
        }

        if (length < 0)
        {
            return LastError;
        }

        path = target[..((int)length + 1)]; // NUL-terminated: the array was zeroed
        return Errno.Success;
    }

    private IoResult Read(ulong handle, long offset, Span<byte> destination)
    {
        fixed (byte* buffer = destination)
        {
            return Transfer(handle, offset, buffer, destination.Length, write: false);
        }
    }

    private IoResult Write(ulong handle, long offset, ReadOnlySpan<byte> source)
    {
        fixed (byte* buffer = source)
        {
            return Transfer(handle, offset, buffer, source.Length, write: true);
        }
    }

    // pread or pwrite until the whole range is done (or, reading, the file ends). A request the backing O_DIRECT
    // descriptor refuses for its alignment (EINVAL) is repeated through the file's buffered descriptor.
    private IoResult Transfer(ulong handle, long offset, byte* buffer, int length, bool write)
    {
        if (_files.Get(handle) is not { } file)
        {
            return IoResult.Failed(Errno.EBADF);
        }

        var fd = file.Fd;
        long total = 0;
        while (total < length)
        {
            var done = write
                ? PWrite(fd, buffer + total, length - (nint)total, offset + total)
                : PRead(fd, buffer + total, length - (nint)total, offset + total);
            if (done > 0)
            {
                total += done;
                continue;
            }

            if (done == 0 && !write)
            {
                break; // end of file
            }

            var error = done == 0 ? Errno.EIO : LastError;
            if (error == Errno.EINTR)
            {
                continue;
            }

            if (error == Errno.EINVAL && fd == file.Fd && file.IsDirect && (fd = file.BufferedFd()) >= 0)
            {
                continue;
            }

            return total > 0 ? IoResult.Done(total) : IoResult.Failed(error);
        }

        return IoResult.Done(total);
    }

    private Errno ReadBackingDirectory(PassthroughDirectory directory, long offset, IDirectoryWriter writer)
    {
        lock (directory.Lock)
        {
            if (LSeek(directory.Fd, offset, SEEK_SET) < 0)
            {
                return LastError;
            }

            var buffer = directory.Buffer;
            while (true)
            {
                nint length;
                fixed (byte* b = buffer)
                {
                    length = GetDents64(directory.Fd, b, buffer.Length);
                }

                if (length < 0)
                {
                    return LastError;
                }

                if (length == 0)
                {
                    return Errno.Success;
                }

                for (var position = 0; position < length;)
                {
                    // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
                    var record = buffer.AsSpan(position);
                    var inode = BitConverter.ToUInt64(record);
                    var next = BitConverter.ToInt64(record[8..]);
                    var recordLength = BitConverter.ToUInt16(record[16..]);
                    var type = record[18];
                    var name = record[19..recordLength];
                    name = name[..name.IndexOf((byte)0)];
                    if (!Emit(directory, writer, name, inode, type, next))
                    {
                        return Errno.Success;
                    }

                    position += recordLength;
                }
            }
        }
    }

    private Errno ReadSingleFileDirectory(PassthroughDirectory directory, long offset, IDirectoryWriter writer)
    {
        ReadOnlySpan<byte> dot = "."u8;
        ReadOnlySpan<byte> dotDot = ".."u8;
        const byte DirectoryType = 4;
        if (offset < 1 && !Emit(directory, writer, dot, RootId, DirectoryType, 1))
        {
            return Errno.Success;
        }

        if (offset < 2 && !Emit(directory, writer, dotDot, RootId, DirectoryType, 2))
        {
            return Errno.Success;
        }

        if (offset < 3 && Lookup(RootId, _singleName, out var entry) == Errno.Success)
        {
            var type = (byte)(entry.Attributes.Type >> 12);
            if (writer.WantsAttributes)
            {
                if (!writer.TryAdd(_singleName, entry.Attributes.Inode, type, 3, entry))
                {
                    Forget(entry.Node, 1);
                }
            }
            else
            {
                Forget(entry.Node, 1);
                writer.TryAdd(_singleName, entry.Attributes.Inode, type, 3, default);
            }
        }

        return Errno.Success;
    }

    // One entry into the reply; with attributes, the entry is looked up and the lookup undone if it does not fit.
    private bool Emit(PassthroughDirectory directory, IDirectoryWriter writer, ReadOnlySpan<byte> name, ulong inode, uint type, long next)
    {
        if (!writer.WantsAttributes)
        {
            return writer.TryAdd(name, inode, type, next, default);
        }

        var isDot = name.SequenceEqual("."u8) || name.SequenceEqual(".."u8);
        if (isDot || Lookup(directory.Node.Id, name, out var entry) != Errno.Success)
        {
            // "." and "..", and entries that vanished since getdents: no node, no lookup counted.
            return writer.TryAdd(name, inode, type, next, new EntryInfo(0, default(NodeAttributes) with { Inode = inode, Mode = type << 12 }));
        }

        if (writer.TryAdd(name, inode, type, next, entry))
        {
            return true;
        }

        Forget(entry.Node, 1);
        return false;
    }
}
