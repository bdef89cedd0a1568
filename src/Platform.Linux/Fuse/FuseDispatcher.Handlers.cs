using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse.Kernel;

namespace ThrottleFs.Platform.Linux.Fuse;

internal sealed partial class FuseDispatcher
{
    private const ulong WantedFlags =
        FuseProtocol.AsyncRead | FuseProtocol.AtomicOTrunc | FuseProtocol.BigWrites | FuseProtocol.DoReaddirplus |
        FuseProtocol.ReaddirplusAuto | FuseProtocol.AsyncDio | FuseProtocol.ParallelDirops | FuseProtocol.AbortError |
        FuseProtocol.MaxPages | FuseProtocol.CacheSymlinks | FuseProtocol.InitExt | FuseProtocol.DirectIoAllowMmap;

    private bool Init(in FuseRequest request)
    {
        // Kernels before 7.36 send only the first 16 bytes; the rest stays zero.
        var input = new FuseInitIn();
        request.Input[..Math.Min(request.Input.Length, Marshal.SizeOf<FuseInitIn>())]
            .CopyTo(MemoryMarshal.AsBytes(new Span<FuseInitIn>(ref input)));

        if (input.Major > FuseProtocol.KernelVersion)
        {
            // A newer major: answer with ours and the kernel sends INIT again.
            Span<byte> reply = stackalloc byte[FuseProtocol.OutHeaderSize + 8];
            WriteHeader(reply, request.Unique, Errno.Success, 8);
            MemoryMarshal.Write(reply[FuseProtocol.OutHeaderSize..], FuseProtocol.KernelVersion);
            Send(reply, request.Unique, Errno.Success, 8);
            return false;
        }

        if (input.Major < FuseProtocol.KernelVersion || input.Minor < 31)
        {
            _trace?.Note($"kernel protocol {input.Major}.{input.Minor} is too old; 7.31 or later is needed");
            ReplyStatus(request.Unique, Errno.EPROTO);
            return false;
        }

        var offered = input.Flags | ((input.Flags & FuseProtocol.InitExt) != 0 ? (ulong)input.Flags2 << 32 : 0);
        Flags = offered & WantedFlags;
        Minor = Math.Min(input.Minor, FuseProtocol.KernelMinorVersion);
        var output = new FuseInitOut
        {
            Major = FuseProtocol.KernelVersion,
            Minor = Minor,
            MaxReadahead = input.MaxReadahead,
            Flags = (uint)Flags,
            Flags2 = (uint)(Flags >> 32),
            MaxBackground = _options.MaxBackground,
            CongestionThreshold = (ushort)(_options.MaxBackground * 3 / 4),
            MaxWrite = (uint)_options.MaxWrite,
            TimeGran = 1,
            MaxPages = (ushort)(_options.MaxWrite / FuseBuffer.PageSize), // always filled when MAX_PAGES is set
        };
        Reply(request.Unique, output);
        _initialized = true;
        Initialized?.Invoke();
        return false;
    }

    private bool Destroy(in FuseRequest request)
    {
        ReplyStatus(request.Unique, Errno.Success);
        return false;
    }

    private bool Lookup(in FuseRequest request)
    {
        if (!request.TryName(0, out var name, out _))
        {
            ReplyStatus(request.Unique, Errno.EINVAL);
            return false;
        }

        ReplyEntry(request.Unique, _fileSystem.Lookup(request.Node, name, out var entry), entry);
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

    private bool Getattr(in FuseRequest request)
    {
        var input = request.Read<FuseGetattrIn>();
        ulong? handle = (input.GetattrFlags & FuseProtocol.GetattrFh) != 0 ? input.Fh : null;
        ReplyAttributes(request.Unique, _fileSystem.GetAttributes(request.Node, handle, out var attributes), attributes);
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
        ReplyAttributes(request.Unique, _fileSystem.SetAttributes(request.Node, changes, out var attributes), attributes);
        return false;
    }

    private bool Readlink(FuseWorkspace workspace, in FuseRequest request)
    {
        var target = workspace.Buffer.Bytes.Slice(FuseBuffer.ReplyOffset + FuseProtocol.OutHeaderSize, 4096);
        var error = _fileSystem.ReadLink(request.Node, target, out var length);
        if (error != Errno.Success)
        {
            ReplyStatus(request.Unique, error);
        }
        else
        {
            ReplyInPlace(workspace, FuseBuffer.ReplyOffset, request.Unique, length);
        }

        return false;
    }

    private bool Symlink(in FuseRequest request)
    {
        if (!request.TryName(0, out var name, out var next) || !request.TryName(next, out var target, out _))
        {
            ReplyStatus(request.Unique, Errno.EINVAL);
            return false;
        }

        ReplyEntry(request.Unique, _fileSystem.Symlink(request.Context, request.Node, name, target, out var entry), entry);
        return false;
    }

    private bool Mknod(in FuseRequest request)
    {
        var input = request.Read<FuseMknodIn>();
        if (!request.TryName(Marshal.SizeOf<FuseMknodIn>(), out var name, out _))
        {
            ReplyStatus(request.Unique, Errno.EINVAL);
            return false;
        }

        ReplyEntry(request.Unique, _fileSystem.MakeNode(request.Context, request.Node, name, input.Mode, input.Rdev, out var entry), entry);
        return false;
    }

    private bool Mkdir(in FuseRequest request)
    {
        var input = request.Read<FuseMkdirIn>();
        if (!request.TryName(Marshal.SizeOf<FuseMkdirIn>(), out var name, out _))
        {
            ReplyStatus(request.Unique, Errno.EINVAL);
            return false;
        }

        ReplyEntry(request.Unique, _fileSystem.MakeDirectory(request.Context, request.Node, name, input.Mode, out var entry), entry);
        return false;
    }

    private bool Unlink(in FuseRequest request)
    {
        ReplyStatus(request.Unique, request.TryName(0, out var name, out _) ? _fileSystem.Unlink(request.Node, name) : Errno.EINVAL);
        return false;
    }

    private bool Rmdir(in FuseRequest request)
    {
        ReplyStatus(request.Unique, request.TryName(0, out var name, out _) ? _fileSystem.RemoveDirectory(request.Node, name) : Errno.EINVAL);
        return false;
    }

    private bool Rename(in FuseRequest request, int inputSize, uint flags)
    {
        var newParent = request.Read<FuseRenameIn>().NewDir;
        var error = request.TryName(inputSize, out var name, out var next) && request.TryName(next, out var newName, out _)
            ? _fileSystem.Rename(request.Node, name, newParent, newName, (RenameFlags)flags)
            : Errno.EINVAL;
        ReplyStatus(request.Unique, error);
        return false;
    }

    private bool Link(in FuseRequest request)
    {
        var input = request.Read<FuseLinkIn>();
        if (!request.TryName(Marshal.SizeOf<FuseLinkIn>(), out var name, out _))
        {
            ReplyStatus(request.Unique, Errno.EINVAL);
            return false;
        }

        ReplyEntry(request.Unique, _fileSystem.Link(input.OldNodeId, request.Node, name, out var entry), entry);
        return false;
    }

    private bool Open(in FuseRequest request)
    {
        var input = request.Read<FuseOpenIn>();
        var error = _fileSystem.Open(request.Context, request.Node, (int)input.Flags, out var file);
        if (error != Errno.Success)
        {
            ReplyStatus(request.Unique, error);
        }
        else
        {
            Reply(request.Unique, OpenOut(file));
        }

        return false;
    }

    private bool Create(in FuseRequest request)
    {
        var input = request.Read<FuseCreateIn>();
        if (!request.TryName(Marshal.SizeOf<FuseCreateIn>(), out var name, out _))
        {
            ReplyStatus(request.Unique, Errno.EINVAL);
            return false;
        }

        var error = _fileSystem.Create(request.Context, request.Node, name, (int)input.Flags, input.Mode, out var entry, out var file);
        if (error != Errno.Success)
        {
            ReplyStatus(request.Unique, error);
        }
        else
        {
            Reply(request.Unique, EntryOut(entry), OpenOut(file));
        }

        return false;
    }

    private bool Read(FuseWorkspace workspace, in FuseRequest request)
    {
        var input = request.Read<FuseReadIn>();
        var size = (int)Math.Min(input.Size, (uint)_options.MaxWrite);
        var destination = workspace.Buffer.Memory.Slice(FuseBuffer.DataOffset, size);
        var pending = _fileSystem.ReadAsync(input.Fh, (long)input.Offset, destination, workspace.Cancellation.Token);
        return CompleteIo(workspace, request.Unique, FuseOpcode.Read, pending);
    }

    private bool Write(FuseWorkspace workspace, in FuseRequest request)
    {
        var input = request.Read<FuseWriteIn>();
        if (request.Input.Length - Marshal.SizeOf<FuseWriteIn>() < input.Size)
        {
            ReplyStatus(request.Unique, Errno.EIO);
            return false;
        }

        // The payload sits page-aligned at DataOffset (see FuseBuffer): it goes to the backing file from there.
        var source = workspace.Buffer.Memory.Slice(FuseBuffer.DataOffset, (int)input.Size);
        var pending = _fileSystem.WriteAsync(input.Fh, (long)input.Offset, source, workspace.Cancellation.Token);
        return CompleteIo(workspace, request.Unique, FuseOpcode.Write, pending);
    }

    private bool CopyFileRange(FuseWorkspace workspace, in FuseRequest request)
    {
        var input = request.Read<FuseCopyFileRangeIn>();
        var length = (long)Math.Min(input.Len, uint.MaxValue); // the reply counts in 32 bits
        var pending = _fileSystem.CopyFileRangeAsync(input.FhIn, (long)input.OffIn, input.FhOut, (long)input.OffOut, length, workspace.Cancellation.Token);
        return CompleteIo(workspace, request.Unique, FuseOpcode.CopyFileRange, pending);
    }

    private bool Flush(in FuseRequest request)
    {
        ReplyStatus(request.Unique, _fileSystem.Flush(request.Read<FuseFlushIn>().Fh));
        return false;
    }

    private bool Release(in FuseRequest request)
    {
        ReplyStatus(request.Unique, _fileSystem.Release(request.Read<FuseReleaseIn>().Fh));
        return false;
    }

    private bool Fsync(in FuseRequest request)
    {
        var input = request.Read<FuseFsyncIn>();
        ReplyStatus(request.Unique, _fileSystem.Fsync(input.Fh, (input.FsyncFlags & FuseProtocol.FsyncFdatasync) != 0));
        return false;
    }

    private bool Fallocate(in FuseRequest request)
    {
        var input = request.Read<FuseFallocateIn>();
        ReplyStatus(request.Unique, _fileSystem.Allocate(input.Fh, (int)input.Mode, (long)input.Offset, (long)input.Length));
        return false;
    }

    private bool Lseek(in FuseRequest request)
    {
        var input = request.Read<FuseLseekIn>();
        var error = _fileSystem.Seek(input.Fh, (long)input.Offset, (int)input.Whence, out var result);
        if (error != Errno.Success)
        {
            ReplyStatus(request.Unique, error);
        }
        else
        {
            Reply(request.Unique, new FuseLseekOut { Offset = (ulong)result });
        }

        return false;
    }

    private bool Opendir(in FuseRequest request)
    {
        var error = _fileSystem.OpenDirectory(request.Node, out var directory);
        if (error != Errno.Success)
        {
            ReplyStatus(request.Unique, error);
        }
        else
        {
            Reply(request.Unique, new FuseOpenOut { Fh = directory.Handle });
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
            ReplyStatus(request.Unique, error);
        }
        else
        {
            ReplyInPlace(workspace, FuseBuffer.ReplyOffset, request.Unique, writer.Length);
        }

        return false;
    }

    private bool Releasedir(in FuseRequest request)
    {
        ReplyStatus(request.Unique, _fileSystem.ReleaseDirectory(request.Read<FuseReleaseIn>().Fh));
        return false;
    }

    private bool Fsyncdir(in FuseRequest request)
    {
        var input = request.Read<FuseFsyncIn>();
        ReplyStatus(request.Unique, _fileSystem.FsyncDirectory(input.Fh, (input.FsyncFlags & FuseProtocol.FsyncFdatasync) != 0));
        return false;
    }

    private bool Statfs(in FuseRequest request)
    {
        var error = _fileSystem.GetVolumeStatistics(request.Node, out var s);
        if (error != Errno.Success)
        {
            ReplyStatus(request.Unique, error);
        }
        else
        {
            Reply(request.Unique, new FuseStatfsOut
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
        ReplyStatus(request.Unique, _fileSystem.Access(request.Node, (int)request.Read<FuseAccessIn>().Mask));
        return false;
    }

    private bool Setxattr(in FuseRequest request)
    {
        // Without FUSE_SETXATTR_EXT the kernel sends the 8-byte form: size and flags.
        var size = (int)request.Read<FuseGetxattrIn>().Size;
        var flags = (int)request.Read<FuseGetxattrIn>().Padding;
        if (!request.TryName(8, out var name, out var next) || request.Input.Length - next < size)
        {
            ReplyStatus(request.Unique, Errno.EINVAL);
            return false;
        }

        ReplyStatus(request.Unique, _fileSystem.SetExtendedAttribute(request.Context, request.Node, name, request.Input.Slice(next, size), flags));
        return false;
    }

    private bool Getxattr(FuseWorkspace workspace, in FuseRequest request)
    {
        var size = (int)request.Read<FuseGetxattrIn>().Size;
        if (!request.TryName(Marshal.SizeOf<FuseGetxattrIn>(), out var name, out _))
        {
            ReplyStatus(request.Unique, Errno.EINVAL);
            return false;
        }

        var value = ReplyArea(workspace, size);
        var error = _fileSystem.GetExtendedAttribute(request.Node, name, value, out var length);
        ReplySized(workspace, request.Unique, error, size, length);
        return false;
    }

    private bool Listxattr(FuseWorkspace workspace, in FuseRequest request)
    {
        var size = (int)request.Read<FuseGetxattrIn>().Size;
        var list = ReplyArea(workspace, size);
        var error = _fileSystem.ListExtendedAttributes(request.Node, list, out var length);
        ReplySized(workspace, request.Unique, error, size, length);
        return false;
    }

    private bool Removexattr(in FuseRequest request)
    {
        ReplyStatus(request.Unique, request.TryName(0, out var name, out _) ? _fileSystem.RemoveExtendedAttribute(request.Context, request.Node, name) : Errno.EINVAL);
        return false;
    }

    private bool Interrupt(in FuseRequest request)
    {
        var target = request.Read<FuseInterruptIn>().Unique;
        FuseWorkspace? waiting;
        lock (_inFlightLock)
        {
            _inFlight.TryGetValue(target, out waiting);
        }

        if (waiting is not null)
        {
            waiting.Cancellation.Cancel(); // a request still waiting for its throttle ends with EINTR
        }
        else
        {
            // Not waiting here (yet, or any more): EAGAIN makes the kernel resend the interrupt while the request is
            // still pending, and is ignored once it has been answered.
            ReplyStatus(request.Unique, Errno.EAGAIN);
        }

        return false;
    }

    private Span<byte> ReplyArea(FuseWorkspace workspace, int size) =>
        workspace.Buffer.Bytes.Slice(
            FuseBuffer.ReplyOffset + FuseProtocol.OutHeaderSize,
            Math.Min(size, workspace.Buffer.Length - FuseBuffer.ReplyOffset - FuseProtocol.OutHeaderSize));

    // getxattr and listxattr: size 0 asks only for the length needed; otherwise the data, or ERANGE if it does not fit.
    private void ReplySized(FuseWorkspace workspace, ulong unique, Errno error, int size, int length)
    {
        if (error != Errno.Success)
        {
            ReplyStatus(unique, error);
        }
        else if (size == 0)
        {
            Reply(unique, new FuseGetxattrOut { Size = (uint)length });
        }
        else if (length > size)
        {
            ReplyStatus(unique, Errno.ERANGE);
        }
        else
        {
            ReplyInPlace(workspace, FuseBuffer.ReplyOffset, unique, length);
        }
    }

    private void ReplyEntry(ulong unique, Errno error, in EntryInfo entry)
    {
        if (error != Errno.Success)
        {
            ReplyStatus(unique, error);
        }
        else
        {
            Reply(unique, EntryOut(entry));
        }
    }

    private void ReplyAttributes(ulong unique, Errno error, in NodeAttributes attributes)
    {
        if (error != Errno.Success)
        {
            ReplyStatus(unique, error);
        }
        else
        {
            Reply(unique, new FuseAttrOut { AttrValid = _attrValidSeconds, AttrValidNsec = _attrValidNanoseconds, Attr = ToFuseAttr(attributes) });
        }
    }

    private FuseOpenOut OpenOut(in OpenedFile file) => new()
    {
        Fh = file.Handle,

        // Direct I/O sends every read and write to us, so the throttle sees them all; parallel direct writes let
        // QEMU's aio=threads and fio's psync jobs write one file concurrently instead of one at a time.
        OpenFlags = _options.DirectIo && file.DirectIo ? FuseProtocol.FopenDirectIo | FuseProtocol.FopenParallelDirectWrites : 0,
    };

    // Replies now if the I/O is done; otherwise the workspace waits with the request and the reader takes another.
    private bool CompleteIo(FuseWorkspace workspace, ulong unique, FuseOpcode opcode, ValueTask<IoResult> pending)
    {
        if (pending.IsCompleted)
        {
            ReplyIo(workspace, unique, opcode, Result(pending));
            return false;
        }

        workspace.Unique = unique;
        workspace.Opcode = opcode;
        workspace.Pending = pending;
        workspace.Continuation ??= ContinuationFor(workspace);
        lock (_inFlightLock)
        {
            _inFlight[unique] = workspace;
        }

        pending.GetAwaiter().UnsafeOnCompleted(workspace.Continuation);
        return true;
    }

    // Its own method: a lambda capturing a parameter of CompleteIo would allocate its closure on every call of
    // CompleteIo, waiting or not.
    private Action ContinuationFor(FuseWorkspace workspace) => () => FinishIo(workspace);

    private void FinishIo(FuseWorkspace workspace)
    {
        lock (_inFlightLock)
        {
            _inFlight.Remove(workspace.Unique);
        }

        try
        {
            ReplyIo(workspace, workspace.Unique, workspace.Opcode, Result(workspace.Pending));
        }
        finally
        {
            _pool.Return(workspace);
        }
    }

    private static IoResult Result(ValueTask<IoResult> completed)
    {
        try
        {
            return completed.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return IoResult.Failed(Errno.EINTR);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return IoResult.Failed(Errno.EIO);
        }
    }

    private void ReplyIo(FuseWorkspace workspace, ulong unique, FuseOpcode opcode, IoResult result)
    {
        if (result.Error != Errno.Success)
        {
            ReplyStatus(unique, result.Error);
        }
        else if (opcode == FuseOpcode.Read)
        {
            ReplyInPlace(workspace, FuseBuffer.DataOffset - FuseProtocol.OutHeaderSize, unique, (int)result.Bytes);
        }
        else
        {
            Reply(unique, new FuseWriteOut { Size = (uint)result.Bytes });
        }
    }
}
