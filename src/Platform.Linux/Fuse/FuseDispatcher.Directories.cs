using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse.Kernel;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// Directories: open, list (READDIR and READDIRPLUS fill the reply in place), fsync, release.
/// </summary>
internal sealed partial class FuseDispatcher
{
    private bool Opendir(in FuseRequest request)
    {
        var error = _fileSystem.OpenDirectory(request.Node, out var directory);
        if (error != Errno.Success)
        {
            ReplyStatus(request.ReplyTo, error);
        }
        else
        {
            Reply(request.ReplyTo, new FuseOpenOut { Fh = directory.Handle });
        }

        return false;
    }

    private bool Readdir(FuseWorkspace workspace, in FuseRequest request, bool plus)
    {
        var input = request.Read<FuseReadIn>();
        var capacity = (int)Math.Min(input.Size, (uint)(workspace.Buffer.Length - FuseBuffer.ReplyOffset - FuseProtocol.OutHeaderSize));
        var writer = new FuseDirectoryWriter(this);
        writer.Start(workspace.Buffer.Memory.Slice(FuseBuffer.ReplyOffset + FuseProtocol.OutHeaderSize, capacity), plus);
        var error = _fileSystem.ReadDirectory(input.Fh, (long)input.Offset, writer);
        if (error != Errno.Success && writer.Length == 0)
        {
            ReplyStatus(request.ReplyTo, error);
        }
        else
        {
            ReplyInPlace(workspace, FuseBuffer.ReplyOffset, request.ReplyTo, writer.Length);
        }

        return false;
    }

    private bool Releasedir(in FuseRequest request)
    {
        ReplyStatus(request.ReplyTo, _fileSystem.ReleaseDirectory(request.Read<FuseReleaseIn>().Fh));
        return false;
    }

    private bool Fsyncdir(in FuseRequest request)
    {
        var input = request.Read<FuseFsyncIn>();
        ReplyStatus(request.ReplyTo, _fileSystem.FsyncDirectory(input.Fh, (input.FsyncFlags & FuseProtocol.FsyncFdatasync) != 0));
        return false;
    }
}
