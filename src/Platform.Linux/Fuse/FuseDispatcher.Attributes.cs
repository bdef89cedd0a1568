using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse.Kernel;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// Attributes of nodes and the volume: getattr, setattr, readlink, statfs, access and extended attributes.
/// </summary>
internal sealed partial class FuseDispatcher
{
    private bool Getattr(in FuseRequest request)
    {
        var input = request.Read<FuseGetattrIn>();
        ulong? handle = (input.GetattrFlags & FuseProtocol.GetattrFh) != 0 ? input.Fh : null;
        ReplyAttributes(request.ReplyTo, _fileSystem.GetAttributes(request.Node, handle, out var attributes), attributes);
        return false;
    }

    private bool Setattr(in FuseRequest request)
    {
        var input = request.Read<FuseSetattrIn>();
        var changes = new AttributeChanges(
            (AttributeFields)(input.Valid & 0x1BF), // mode, uid, gid, size, times and their "now" variants
            input.Mode,
            input.Uid,
            input.Gid,
            (long)input.Size,
            (long)input.Atime,
            input.AtimeNsec,
            (long)input.Mtime,
            input.MtimeNsec,
            (input.Valid & FuseProtocol.FattrFh) != 0 ? input.Fh : null);

        // Before the change, so the attributes in the reply are the ones the file ends up with.
        var error = (input.Valid & FuseProtocol.FattrKillSuidgid) != 0 ? _fileSystem.RemovePrivileges(request.Context, request.Node, out _) : Errno.Success;
        if (error == Errno.Success)
        {
            error = _fileSystem.SetAttributes(request.Node, changes, out var attributes);
            ReplyAttributes(request.ReplyTo, error, attributes);
        }
        else
        {
            ReplyStatus(request.ReplyTo, error);
        }

        return false;
    }

    private bool Readlink(FuseWorkspace workspace, in FuseRequest request)
    {
        var target = workspace.Buffer.Bytes.Slice(FuseBuffer.ReplyOffset + FuseProtocol.OutHeaderSize, 4096);
        var error = _fileSystem.ReadLink(request.Node, target, out var length);
        if (error != Errno.Success)
        {
            ReplyStatus(request.ReplyTo, error);
        }
        else
        {
            ReplyInPlace(workspace, FuseBuffer.ReplyOffset, request.ReplyTo, length);
        }

        return false;
    }

    private bool Statfs(in FuseRequest request)
    {
        var error = _fileSystem.GetVolumeStatistics(request.Node, out var s);
        if (error != Errno.Success)
        {
            ReplyStatus(request.ReplyTo, error);
        }
        else
        {
            Reply(request.ReplyTo, new FuseStatfsOut
            {
                St = new FuseKstatfs
                {
                    Blocks = s.Blocks,
                    BFree = s.BlocksFree,
                    BAvail = s.BlocksAvailable,
                    Files = s.Files,
                    FFree = s.FilesFree,
                    BSize = s.BlockSize,
                    NameLen = s.NameMax,
                    FrSize = s.FragmentSize,
                },
            });
        }

        return false;
    }

    private bool Access(in FuseRequest request)
    {
        ReplyStatus(request.ReplyTo, _fileSystem.Access(request.Node, (int)request.Read<FuseAccessIn>().Mask));
        return false;
    }

    private bool Setxattr(in FuseRequest request)
    {
        // Without FUSE_SETXATTR_EXT the kernel sends the 8-byte form: size and flags.
        var size = (int)request.Read<FuseGetxattrIn>().Size;
        var flags = (int)request.Read<FuseGetxattrIn>().Padding;
        if (!request.TryName(8, out var name, out var next) || request.Input.Length - next < size)
        {
            ReplyStatus(request.ReplyTo, Errno.EINVAL);
            return false;
        }

        ReplyStatus(request.ReplyTo, _fileSystem.SetExtendedAttribute(request.Context, request.Node, name, request.Input.Slice(next, size), flags));
        return false;
    }

    private bool Getxattr(FuseWorkspace workspace, in FuseRequest request)
    {
        var size = (int)request.Read<FuseGetxattrIn>().Size;
        if (!request.TryName(Marshal.SizeOf<FuseGetxattrIn>(), out var name, out _))
        {
            ReplyStatus(request.ReplyTo, Errno.EINVAL);
            return false;
        }

        var value = ReplyArea(workspace, size);
        var error = _fileSystem.GetExtendedAttribute(request.Node, name, value, out var length);
        ReplySized(workspace, request.ReplyTo, error, size, length);
        return false;
    }

    private bool Listxattr(FuseWorkspace workspace, in FuseRequest request)
    {
        var size = (int)request.Read<FuseGetxattrIn>().Size;
        var list = ReplyArea(workspace, size);
        var error = _fileSystem.ListExtendedAttributes(request.Node, list, out var length);
        ReplySized(workspace, request.ReplyTo, error, size, length);
        return false;
    }

    private bool Removexattr(in FuseRequest request)
    {
        ReplyStatus(request.ReplyTo, request.TryName(0, out var name, out _) ? _fileSystem.RemoveExtendedAttribute(request.Context, request.Node, name) : Errno.EINVAL);
        return false;
    }

    private Span<byte> ReplyArea(FuseWorkspace workspace, int size) =>
        workspace.Buffer.Bytes.Slice(
            FuseBuffer.ReplyOffset + FuseProtocol.OutHeaderSize,
            Math.Min(size, workspace.Buffer.Length - FuseBuffer.ReplyOffset - FuseProtocol.OutHeaderSize));

    // getxattr and listxattr: size 0 asks only for the length needed; otherwise the data, or ERANGE if it does not fit.
    private void ReplySized(FuseWorkspace workspace, FuseReplyTo to, Errno error, int size, int length)
    {
        if (error != Errno.Success)
        {
            ReplyStatus(to, error);
        }
        else if (size == 0)
        {
            Reply(to, new FuseGetxattrOut { Size = (uint)length });
        }
        else if (length > size)
        {
            ReplyStatus(to, Errno.ERANGE);
        }
        else
        {
            ReplyInPlace(workspace, FuseBuffer.ReplyOffset, to, length);
        }
    }

    private void ReplyAttributes(FuseReplyTo to, Errno error, in NodeAttributes attributes)
    {
        if (error != Errno.Success)
        {
            ReplyStatus(to, error);
        }
        else
        {
            Reply(to, new FuseAttrOut { AttrValid = _attrValidSeconds, AttrValidNsec = _attrValidNanoseconds, Attr = ToFuseAttr(attributes) });
        }
    }
}
