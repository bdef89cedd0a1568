using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse.Kernel;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// Open files and their data. READ, WRITE and COPY_FILE_RANGE may wait for their throttle: such a request keeps
/// its workspace and is answered from whichever thread completes it, while the reader takes another workspace.
/// </summary>
internal sealed partial class FuseDispatcher
{
    private bool Open(in FuseRequest request)
    {
        var input = request.Read<FuseOpenIn>();
        var error = _fileSystem.Open(request.Context, request.Node, (int)input.Flags, out var file);
        if (error == Errno.Success && (input.OpenFlags & FuseProtocol.OpenKillSuidgid) != 0 && (error = RemovePrivileges(request)) != Errno.Success)
        {
            _fileSystem.Release(file.Handle);
        }

        if (error != Errno.Success)
        {
            ReplyStatus(request.ReplyTo, error);
        }
        else
        {
            Reply(request.ReplyTo, OpenOut(file));
        }

        return false;
    }

    private bool Create(in FuseRequest request)
    {
        var input = request.Read<FuseCreateIn>();
        if (!request.TryName(Marshal.SizeOf<FuseCreateIn>(), out var name, out _))
        {
            ReplyStatus(request.ReplyTo, Errno.EINVAL);
            return false;
        }

        var error = _fileSystem.Create(request.Context, request.Node, name, (int)input.Flags, input.Mode, out var entry, out var file);
        if (error != Errno.Success)
        {
            ReplyStatus(request.ReplyTo, error);
        }
        else
        {
            Reply(request.ReplyTo, EntryOut(entry), OpenOut(file));
        }

        return false;
    }

    private bool Read(FuseWorkspace workspace, in FuseRequest request)
    {
        var input = request.Read<FuseReadIn>();
        var size = (int)Math.Min(input.Size, (uint)_options.MaxWrite);
        var destination = workspace.ReadTarget.Arm(request.Unique, size, ChannelOf(workspace) is FuseDevice ? _splicePipes : null);
        var pending = _fileSystem.ReadAsync(input.Fh, (long)input.Offset, destination, workspace.Cancellation.Token);
        return CompleteIo(workspace, request.ReplyTo, FuseOpcode.Read, pending);
    }

    private bool Write(FuseWorkspace workspace, in FuseRequest request)
    {
        var input = request.Read<FuseWriteIn>();
        if (request.Input.Length - Marshal.SizeOf<FuseWriteIn>() < input.Size)
        {
            ReplyStatus(request.ReplyTo, Errno.EIO);
            return false;
        }

        if ((input.WriteFlags & FuseProtocol.WriteKillSuidgid) != 0 && RemovePrivileges(request) is var error and not Errno.Success)
        {
            ReplyStatus(request.ReplyTo, error);
            return false;
        }

        // The payload sits page-aligned at DataOffset (see FuseBuffer): it goes to the backing file from there.
        var source = workspace.Buffer.Memory.Slice(FuseBuffer.DataOffset, (int)input.Size);
        var pending = _fileSystem.WriteAsync(input.Fh, (long)input.Offset, source, workspace.Cancellation.Token);
        return CompleteIo(workspace, request.ReplyTo, FuseOpcode.Write, pending);
    }

    // A write or O_TRUNC by a caller who may not keep set-id bits: they go first, as in the kernel's own filesystems,
    // and the kernel is told to drop the mode it cached.
    private Errno RemovePrivileges(in FuseRequest request)
    {
        var error = _fileSystem.RemovePrivileges(request.Context, request.Node, out var removed);
        if (removed)
        {
            NotifyAttributesChanged(request.Node);
        }

        return error;
    }

    private bool CopyFileRange(FuseWorkspace workspace, in FuseRequest request)
    {
        var input = request.Read<FuseCopyFileRangeIn>();
        var length = (long)Math.Min(input.Len, uint.MaxValue); // the reply counts in 32 bits
        var pending = _fileSystem.CopyFileRangeAsync(input.FhIn, (long)input.OffIn, input.FhOut, (long)input.OffOut, length, workspace.Cancellation.Token);
        return CompleteIo(workspace, request.ReplyTo, FuseOpcode.CopyFileRange, pending);
    }

    private bool Flush(in FuseRequest request)
    {
        ReplyStatus(request.ReplyTo, _fileSystem.Flush(request.Read<FuseFlushIn>().Fh));
        return false;
    }

    private bool Release(in FuseRequest request)
    {
        ReplyStatus(request.ReplyTo, _fileSystem.Release(request.Read<FuseReleaseIn>().Fh));
        return false;
    }

    private bool Fsync(in FuseRequest request)
    {
        var input = request.Read<FuseFsyncIn>();
        ReplyStatus(request.ReplyTo, _fileSystem.Fsync(input.Fh, (input.FsyncFlags & FuseProtocol.FsyncFdatasync) != 0));
        return false;
    }

    private bool Fallocate(in FuseRequest request)
    {
        var input = request.Read<FuseFallocateIn>();
        ReplyStatus(request.ReplyTo, _fileSystem.Allocate(input.Fh, (int)input.Mode, (long)input.Offset, (long)input.Length));
        return false;
    }

    private bool Lseek(in FuseRequest request)
    {
        var input = request.Read<FuseLseekIn>();
        var error = _fileSystem.Seek(input.Fh, (long)input.Offset, (int)input.Whence, out var result);
        if (error != Errno.Success)
        {
            ReplyStatus(request.ReplyTo, error);
        }
        else
        {
            Reply(request.ReplyTo, new FuseLseekOut { Offset = (ulong)result });
        }

        return false;
    }

    private FuseOpenOut OpenOut(in OpenedFile file) => new()
    {
        Fh = file.Handle,

        // Direct I/O sends every read and write to us, so the throttle sees them all (and a generated file is read
        // afresh); parallel direct writes let QEMU's aio=threads and fio's psync jobs write one file concurrently
        // instead of one at a time.
        OpenFlags = _options.DirectIo || file.DirectIo ? FuseProtocol.FopenDirectIo | FuseProtocol.FopenParallelDirectWrites : 0,
    };

    // Replies now if the I/O is done; otherwise the workspace waits with the request and the reader takes another.
    private bool CompleteIo(FuseWorkspace workspace, FuseReplyTo to, FuseOpcode opcode, ValueTask<IoResult> pending)
    {
        if (pending.IsCompleted)
        {
            ReplyIo(workspace, to, opcode, Result(pending));
            return false;
        }

        workspace.Unique = to.Unique;
        workspace.Opcode = opcode;
        workspace.Pending = pending;
        workspace.Continuation ??= ContinuationFor(workspace);
        lock (_inFlightLock)
        {
            _inFlight[to.Unique] = workspace;
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

        var to = new FuseReplyTo(ChannelOf(workspace), workspace.Unique);
        var opcode = workspace.Opcode;
        var result = Result(workspace.Pending);
        if (workspace.OwnedByChannel)
        {
            // An io_uring entry's own workspace: the reply hands the entry back to the kernel, which may fill it with
            // the next request at once, so it is made ready before.
            workspace.Reset();
            ReplyIo(workspace, to, opcode, result);
            return;
        }

        try
        {
            ReplyIo(workspace, to, opcode, result);
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

    private void ReplyIo(FuseWorkspace workspace, FuseReplyTo to, FuseOpcode opcode, IoResult result)
    {
        var target = workspace.ReadTarget;
        if (result.Error != Errno.Success)
        {
            target.Reset();
            ReplyStatus(to, result.Error);
        }
        else if (opcode == FuseOpcode.Read && target.Spliced)
        {
            ReplySpliced(target, to, (int)result.Bytes);
        }
        else if (opcode == FuseOpcode.Read)
        {
            ReplyInPlace(workspace, FuseBuffer.DataOffset - FuseProtocol.OutHeaderSize, to, (int)result.Bytes);
        }
        else
        {
            Reply(to, new FuseWriteOut { Size = (uint)result.Bytes });
        }
    }
}
