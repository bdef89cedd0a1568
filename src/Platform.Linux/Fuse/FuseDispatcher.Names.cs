using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse.Kernel;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// Names: lookups and their count (FORGET gives them back), creating, linking, removing and renaming entries.
/// </summary>
internal sealed partial class FuseDispatcher
{
    private bool Lookup(in FuseRequest request)
    {
        if (!request.TryName(0, out var name, out _))
        {
            ReplyStatus(request.ReplyTo, Errno.EINVAL);
            return false;
        }

        ReplyEntry(request.ReplyTo, _fileSystem.Lookup(request.Node, name, out var entry), entry);
        return false;
    }

    private bool Forget(in FuseRequest request)
    {
        _fileSystem.Forget(request.Node, request.Read<FuseForgetIn>().NLookup);
        return false;
    }

    private bool BatchForget(in FuseRequest request)
    {
        var count = (int)request.Read<FuseBatchForgetIn>().Count;
        var items = MemoryMarshal.Cast<byte, FuseForgetOne>(request.Input[Marshal.SizeOf<FuseBatchForgetIn>()..]);
        foreach (var item in items[..Math.Min(count, items.Length)])
        {
            _fileSystem.Forget(item.NodeId, item.NLookup);
        }

        return false;
    }

    private bool Symlink(in FuseRequest request)
    {
        if (!request.TryName(0, out var name, out var next) || !request.TryName(next, out var target, out _))
        {
            ReplyStatus(request.ReplyTo, Errno.EINVAL);
            return false;
        }

        ReplyEntry(request.ReplyTo, _fileSystem.Symlink(request.Context, request.Node, name, target, out var entry), entry);
        return false;
    }

    private bool Mknod(in FuseRequest request)
    {
        var input = request.Read<FuseMknodIn>();
        if (!request.TryName(Marshal.SizeOf<FuseMknodIn>(), out var name, out _))
        {
            ReplyStatus(request.ReplyTo, Errno.EINVAL);
            return false;
        }

        ReplyEntry(request.ReplyTo, _fileSystem.MakeNode(request.Context, request.Node, name, input.Mode, input.Rdev, out var entry), entry);
        return false;
    }

    private bool Mkdir(in FuseRequest request)
    {
        var input = request.Read<FuseMkdirIn>();
        if (!request.TryName(Marshal.SizeOf<FuseMkdirIn>(), out var name, out _))
        {
            ReplyStatus(request.ReplyTo, Errno.EINVAL);
            return false;
        }

        ReplyEntry(request.ReplyTo, _fileSystem.MakeDirectory(request.Context, request.Node, name, input.Mode, out var entry), entry);
        return false;
    }

    private bool Unlink(in FuseRequest request)
    {
        ReplyStatus(request.ReplyTo, request.TryName(0, out var name, out _) ? _fileSystem.Unlink(request.Node, name) : Errno.EINVAL);
        return false;
    }

    private bool Rmdir(in FuseRequest request)
    {
        ReplyStatus(request.ReplyTo, request.TryName(0, out var name, out _) ? _fileSystem.RemoveDirectory(request.Node, name) : Errno.EINVAL);
        return false;
    }

    private bool Rename(in FuseRequest request, int inputSize, uint flags)
    {
        var newParent = request.Read<FuseRenameIn>().NewDir;
        var error = request.TryName(inputSize, out var name, out var next) && request.TryName(next, out var newName, out _)
            ? _fileSystem.Rename(request.Node, name, newParent, newName, (RenameFlags)flags)
            : Errno.EINVAL;
        ReplyStatus(request.ReplyTo, error);
        return false;
    }

    private bool Link(in FuseRequest request)
    {
        var input = request.Read<FuseLinkIn>();
        if (!request.TryName(Marshal.SizeOf<FuseLinkIn>(), out var name, out _))
        {
            ReplyStatus(request.ReplyTo, Errno.EINVAL);
            return false;
        }

        ReplyEntry(request.ReplyTo, _fileSystem.Link(input.OldNodeId, request.Node, name, out var entry), entry);
        return false;
    }

    private void ReplyEntry(FuseReplyTo to, Errno error, in EntryInfo entry)
    {
        if (error != Errno.Success)
        {
            ReplyStatus(to, error);
        }
        else
        {
            Reply(to, EntryOut(entry));
        }
    }
}
