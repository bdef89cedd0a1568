using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// Attributes: stat and setattr by the node's path, or through an open handle once the name is gone (the changes
/// themselves are in the AttributeChanges part); chown only to the owner every file is reported to have; statfs from
/// the backing drive; access; privileges, which no portable call reaches.
/// </summary>
public sealed partial class PortablePassthroughFileSystem
{
    private const int WriteAccess = 2; // W_OK

    public Errno GetAttributes(ulong node, ulong? handle, out NodeAttributes attributes)
    {
        attributes = default;
        if (_tree.Find(node) is not { } found)
        {
            return Errno.ENOENT;
        }

        return Stat(found, OpenFile(found, handle), out attributes);
    }

    public Errno SetAttributes(ulong node, in AttributeChanges changes, out NodeAttributes attributes)
    {
        attributes = default;
        if (_tree.Find(node) is not { } found)
        {
            return Errno.ENOENT;
        }

        var fields = changes.Fields;
        var chown = ((fields & AttributeFields.Uid) != 0 && changes.Uid != _ownerUid) || ((fields & AttributeFields.Gid) != 0 && changes.Gid != _ownerGid);
        if (IsVirtual(found) || chown)
        {
            return Errno.EPERM; // the single-file root is ours; owners cannot be changed portably
        }

        var path = _tree.BackingPathOf(found);
        var open = OpenFile(found, changes.Handle) ?? (path is null ? OpenFileOf(found) : null);
        if (path is null && open is null)
        {
            return Errno.ENOENT;
        }

        try
        {
            var error = Errno.Success;
            if ((fields & AttributeFields.Mode) != 0)
            {
                error = SetMode(path, open, changes.Mode);
            }

            if (error == Errno.Success && (fields & AttributeFields.Size) != 0)
            {
                error = SetSize(path, open, changes.Size);
            }

            if (error == Errno.Success && (fields & (AttributeFields.AccessTime | AttributeFields.ModifyTime)) != 0)
            {
                error = SetTimes(path, open, changes);
            }

            if (error != Errno.Success)
            {
                return error;
            }
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            return BackingError.From(e);
        }

        return Stat(found, open, out attributes);
    }

    /// <summary>
    /// Nothing to remove: Windows has neither set-id bits nor file capabilities, and the Windows host never asks (Dokan
    /// has no kill_priv). On Unix, where this runs in tests, .NET cannot read capabilities either.
    /// </summary>
    public Errno RemovePrivileges(in RequestContext context, ulong node, out bool removed)
    {
        removed = false;
        return _tree.Find(node) is null ? Errno.ENOENT : Errno.Success;
    }

    public Errno GetVolumeStatistics(ulong node, out VolumeStatistics statistics)
    {
        statistics = default;
        if (_tree.Find(node) is null)
        {
            return Errno.ENOENT;
        }

        try
        {
            // On Unix DriveInfo takes any path and reports the filesystem holding it; on Windows only a drive root.
            var drive = new DriveInfo(OperatingSystem.IsWindows() ? Path.GetPathRoot(_tree.RootPath)! : _tree.RootPath);
            const uint blockSize = BackingAttributes.BlockSize;
            statistics = new VolumeStatistics(
                (ulong)drive.TotalSize / blockSize, (ulong)drive.TotalFreeSpace / blockSize, (ulong)drive.AvailableFreeSpace / blockSize,
                Files: 0, FilesFree: 0, // no portable call counts inodes; 0 is statfs's "not known"
                blockSize, BackingName.MaxLength, blockSize);
            return Errno.Success;
        }
        catch (ArgumentException) when (OperatingSystem.IsWindows())
        {
            return Errno.EOPNOTSUPP; // a UNC share: DriveInfo knows drive letters only
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            return BackingError.From(e);
        }
    }

    /// <summary>
    /// Whether the node exists and, for W_OK, is not read-only (no write bit; READONLY on Windows). The portable calls
    /// read no owners or ACLs, so read and execute are not checked; the backing store still refuses what it must.
    /// </summary>
    public Errno Access(ulong node, int mask)
    {
        if (_tree.Find(node) is not { } found)
        {
            return Errno.ENOENT;
        }

        if (_tree.BackingPathOf(found) is not { } path)
        {
            return OpenFileOf(found) is null ? Errno.ENOENT : Errno.Success;
        }

        var info = new FileInfo(path);
        if (BackingAttributes.TypeOf(info) == 0)
        {
            return Errno.ENOENT;
        }

        return (mask & WriteAccess) != 0 && BackingAttributes.IsReadOnly(info) ? Errno.EACCES : Errno.Success;
    }

    // The attributes of a node: by its path while it has one, else through an open file of it (an unlinked file).
    private Errno Stat(PortableNode node, PortableFile? open, out NodeAttributes attributes)
    {
        if (_tree.BackingPathOf(node) is { } path)
        {
            var error = BackingAttributes.Of(new FileInfo(path), node.Id, _ownerUid, _ownerGid, out attributes);
            if (error != Errno.ENOENT)
            {
                return error;
            }
        }

        open ??= OpenFileOf(node);
        attributes = default;
        return open is null ? Errno.ENOENT : BackingAttributes.Of(open.Handle, node.Id, _ownerUid, _ownerGid, out attributes);
    }

    // The open file handle names, when it is an open of node.
    private PortableFile? OpenFile(PortableNode node, ulong? handle) =>
        handle is { } h && _files.Get(h) is { } file && file.Node == node ? file : null;

    // Any open file of node: only asked for a node whose name is gone, which is rare, so the open files are searched.
    private PortableFile? OpenFileOf(PortableNode node) => _files.Snapshot().Find(file => file.Node == node);
}
