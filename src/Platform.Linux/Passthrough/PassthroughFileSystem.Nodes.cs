using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// Nodes: how a name looked up becomes a node (an O_PATH descriptor opened by name, whose inode is registered in the
/// <see cref="NodeTable"/> and whose descriptor the <see cref="NodeDescriptors"/> cache keeps), how the kernel gives
/// them back, where a node is now, and what the nodes cost the daemon.
/// </summary>
internal sealed unsafe partial class PassthroughFileSystem
{
    /// <summary>Where notes about file handles go (once each: where they cannot be used, nodes hold descriptors).</summary>
    public Serilog.ILogger Log
    {
        set => _mounts.Log = value;
    }

    /// <summary>The nodes and descriptors the passthrough holds now.</summary>
    public NodeUsage Usage => new(_nodes.Count, _descriptors.Open, _descriptors.Idle, _budget.Held, _budget.Ceiling, _budget.Limit);

    /// <summary>The descriptor budget the passthrough works within.</summary>
    public DescriptorBudget Budget => _budget;

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
        using var descriptor = _descriptors.Lease(found, out var error);
        var target = new byte[4096];
        if (error != Errno.Success || CurrentPath(descriptor.Fd, target) is not { } length)
        {
            return null;
        }

        var absolute = PathText.Decode(target.AsSpan(0, length));
        return absolute.StartsWith(Source, StringComparison.Ordinal) ? absolute[Source.Length..].TrimStart('/') : absolute;
    }

    public Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out EntryInfo entry)
    {
        entry = default;
        if (_nodes.Find(parent) is not { } directory)
        {
            return Errno.ENOENT;
        }

        if (directory.IsVirtual)
        {
            return TrySingleFileParent(name, out var parentFd) ? LookupAt(parentFd, name, out entry) : Errno.ENOENT;
        }

        using var descriptor = _descriptors.Lease(directory, out var error);
        return error != Errno.Success ? error : LookupAt(descriptor.Fd, name, out entry);
    }

    public void Forget(ulong node, ulong lookups) => _nodes.Forget(node, lookups);

    // Looks name up in the directory dirFd is a descriptor of: the node it names gains one lookup, and the O_PATH
    // descriptor opened for it becomes the node's cached one. Short of descriptors, an idle one is closed for it.
    private Errno LookupAt(int dirFd, ReadOnlySpan<byte> name, out EntryInfo entry)
    {
        entry = default;
        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        if (!NativeName.TryCopy(name, native))
        {
            return Errno.ENAMETOOLONG;
        }

        int fd;
        var error = Errno.Success;
        fixed (byte* n = native)
        {
            do
            {
                fd = OpenAt(dirFd, n, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
                error = fd < 0 ? LastError : Errno.Success;
            }
            while (error is Errno.EMFILE or Errno.ENFILE && _descriptors.CloseOldest());
        }

        if (fd < 0)
        {
            return error;
        }

        _budget.Count(1);
        return Register(fd, out entry);
    }

    // Takes over an O_PATH descriptor, counted in the budget: the node it names gains one lookup.
    private Errno Register(int fd, out EntryInfo entry)
    {
        entry = default;
        var error = NodeStat.Of(fd, out StatxBuffer stx);
        if (error != Errno.Success)
        {
            _budget.Close(fd);
            return error;
        }

        if (_nodes.Register(fd, stx) is not { } node)
        {
            return Errno.ENFILE;
        }

        entry = new EntryInfo(node.Id, NodeStat.ToAttributes(stx));
        return Errno.Success;
    }

    // Where the inode fd names is now (its /proc link), into target; null when it cannot be read, or when the
    // descriptor was reopened from a handle after the kernel had dropped the file's dentries, which leaves it no path
    // (the link reads "/"; the next lookup by name gives the node a descriptor with one again).
    private static int? CurrentPath(int fd, Span<byte> target)
    {
        Span<byte> proc = stackalloc byte[ProcPath.MaxLength];
        ProcPath.Format(fd, proc);
        nint length;
        fixed (byte* p = proc)
        fixed (byte* t = target)
        {
            length = ReadLinkAt(AT_FDCWD, p, t, target.Length);
        }

        return length <= 0 || (length == 1 && target[0] == (byte)'/') ? null : (int)length;
    }
}
