using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// Attributes: stat, chmod, chown, truncate and utimens through a node's descriptor, lent for the call (an open file's
/// node has its own pinned, so an unlinked open file keeps its attributes); statfs; access.
/// </summary>
internal sealed unsafe partial class PassthroughFileSystem
{
    public Errno GetAttributes(ulong node, ulong? handle, out NodeAttributes attributes)
    {
        attributes = default;
        if (_nodes.Find(node) is not { } found)
        {
            return Errno.ENOENT;
        }

        using var descriptor = _descriptors.Lease(found, out var error);
        return error != Errno.Success ? error : StatNode(descriptor.Fd, out attributes);
    }

    public Errno SetAttributes(ulong node, in AttributeChanges changes, out NodeAttributes attributes)
    {
        attributes = default;
        var found = _nodes.Find(node);
        if (found is null || found.IsVirtual)
        {
            return found is null ? Errno.ENOENT : Errno.EPERM;
        }

        using var descriptor = _descriptors.Lease(found, out var error);
        if (error != Errno.Success)
        {
            return error;
        }

        var fields = changes.Fields;
        if ((fields & (AttributeFields.Mode | AttributeFields.Uid | AttributeFields.Gid)) != 0)
        {
            found.HasNoPrivileges = false;
        }

        var fd = descriptor.Fd;
        Span<byte> proc = stackalloc byte[ProcPath.MaxLength];
        ProcPath.Format(fd, proc);
        error = StatNode(fd, out var current);
        var isSymlink = current.Type == FileModes.SymbolicLink;
        fixed (byte* p = proc)
        fixed (byte* empty = NodeStat.EmptyPath)
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
                error = Check(FChOwnAt(fd, empty, uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
            }

            if (error == Errno.Success && (fields & AttributeFields.Size) != 0)
            {
                error = changes.Handle is { } h && _files.Get(h) is { } file
                    ? Check(FTruncate(file.Fd, changes.Size))
                    : isSymlink ? Errno.EINVAL : Check(Truncate(p, changes.Size));
                found.DataChanged();
            }

            if (error == Errno.Success && (fields & (AttributeFields.AccessTime | AttributeFields.ModifyTime)) != 0)
            {
                var times = stackalloc TimeSpec[2];
                times[0] = Time(fields, AttributeFields.AccessTime, AttributeFields.AccessTimeNow, changes.AccessSeconds, changes.AccessNanoseconds);
                times[1] = Time(fields, AttributeFields.ModifyTime, AttributeFields.ModifyTimeNow, changes.ModifySeconds, changes.ModifyNanoseconds);
                error = Check(UTimensAt(fd, empty, times, AT_EMPTY_PATH));
                if (error == Errno.EINVAL && !isSymlink)
                {
                    error = Check(UTimensAt(AT_FDCWD, p, times, 0)); // kernels before AT_EMPTY_PATH support here
                }
            }
        }

        return error != Errno.Success ? error : StatNode(fd, out attributes);
    }

    public Errno GetVolumeStatistics(ulong node, out VolumeStatistics statistics)
    {
        statistics = default;
        if (_nodes.Find(node) is not { } found)
        {
            return Errno.ENOENT;
        }

        using var descriptor = _descriptors.Lease(found, out var error);
        if (error != Errno.Success)
        {
            return error;
        }

        StatFsBuffer buffer;
        if (FStatFs(descriptor.Fd >= 0 ? descriptor.Fd : _singleParentFd, &buffer) < 0)
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
    public Errno Access(ulong node, int mask) => _nodes.Find(node) is null ? Errno.ENOENT : Errno.Success;

    // The attributes of the inode a lent descriptor names. The single-file source's directory is ours (no descriptor);
    // it shows the attributes of the file's real directory.
    private Errno StatNode(int fd, out NodeAttributes attributes) =>
        NodeStat.Of(fd < 0 ? _singleParentFd : fd, out attributes);

    private static TimeSpec Time(AttributeFields fields, AttributeFields set, AttributeFields now, long seconds, uint nanoseconds) =>
        (fields & now) != 0 ? new TimeSpec { Nanoseconds = UTIME_NOW }
        : (fields & set) != 0 ? new TimeSpec { Seconds = seconds, Nanoseconds = nanoseconds }
        : new TimeSpec { Nanoseconds = UTIME_OMIT };
}
