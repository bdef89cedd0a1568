using System.Buffers;
using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Splicing;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// Data I/O: open and create, pread/pwrite, copy_file_range, fsync, fallocate and lseek on open files. Reads and
/// writes complete synchronously: by the time they are called here the throttle has admitted them. An open file
/// holds its descriptor and pins its node's, two descriptors, and is refused with EMFILE when they would take the
/// passthrough over its ceiling (<see cref="DescriptorBudget"/>) after idle cached ones have made way.
/// </summary>
internal sealed unsafe partial class PassthroughFileSystem
{
    // A spliced reply costs a system call more than a read and a written reply (the header goes into the pipe first);
    // measured on tmpfs, buffered sequential reads gain from 32 KiB (1.04–1.23×; 1.2–1.5× at 128–512 KiB), none below.
    private const int SpliceMinLength = 32 << 10;

    public Errno Open(in RequestContext context, ulong node, int flags, out OpenedFile file)
    {
        file = default;
        if (_nodes.Find(node) is not { IsVirtual: false } found)
        {
            return Errno.ENOENT;
        }

        found.HasNoPrivileges = false; // look again: the file may have changed behind the mount
        if (!_descriptors.MakeRoom(2))
        {
            return Errno.EMFILE;
        }

        var pin = _descriptors.Lease(found, out var error);
        if (error != Errno.Success)
        {
            return error;
        }

        Span<byte> proc = stackalloc byte[ProcPath.MaxLength];
        ProcPath.Format(pin.Fd, proc);
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
            error = LastError;
            pin.Dispose();
            return error;
        }

        _budget.Count(1);
        if ((flags & O_TRUNC) != 0)
        {
            found.DataChanged();
        }

        return AddFile(new PassthroughFile(fd, backingFlags, pin, found, _budget, _readAheads), out file);
    }

    public Errno Create(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, int flags, uint mode, out EntryInfo entry, out OpenedFile file)
    {
        entry = default;
        file = default;
        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        using var directory = ResolveName(parent, name, native, out var error);
        if (error != Errno.Success)
        {
            return error;
        }

        // The file's descriptor, and its new node's, which the file pins.
        if (!_descriptors.MakeRoom(2))
        {
            return Errno.EMFILE;
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

            if (fd >= 0 && ChownNew(context, directory.Fd, n) && HasSetId(mode))
            {
                FChMod(fd, mode & 0xFFF);
            }
        }

        if (fd < 0)
        {
            return LastError;
        }

        _budget.Count(1);

        // The node comes from the descriptor just opened, not the name, so a concurrent rename cannot swap it.
        Span<byte> proc = stackalloc byte[ProcPath.MaxLength];
        ProcPath.Format(fd, proc);
        int pathFd;
        fixed (byte* p = proc)
        {
            pathFd = Interop.Sys.Open(p, O_PATH | O_CLOEXEC, 0);
        }

        error = pathFd < 0 ? LastError : Errno.Success;
        if (error == Errno.Success)
        {
            _budget.Count(1);
            error = Register(pathFd, out entry);
        }

        var pin = NodeDescriptor.None;
        var node = error == Errno.Success ? _nodes.Find(entry.Node) : null;
        if (node is not null)
        {
            pin = _descriptors.Lease(node, out error);
            if (error != Errno.Success)
            {
                _nodes.Forget(entry.Node, 1);
            }
        }
        else if (error == Errno.Success)
        {
            error = Errno.ENOENT; // forgotten as soon as registered: nothing to open it as
        }

        if (error != Errno.Success)
        {
            _budget.Close(fd);
            return error;
        }

        node!.DataChanged(); // O_TRUNC, or a file made anew where one of its node's may have been
        error = AddFile(new PassthroughFile(fd, backingFlags & ~(O_CREAT | O_EXCL | O_TRUNC), pin, node, _budget, _readAheads), out file);
        if (error != Errno.Success)
        {
            _nodes.Forget(entry.Node, 1);
        }

        return error;
    }

    public ValueTask<IoResult> ReadAsync(ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_files.Get(handle) is not { } file)
        {
            return new(IoResult.Failed(Errno.EBADF));
        }

        // A read through the page cache can go to the caller without passing through our memory: the platform takes the
        // pages by reference (splice) and the kernel copies them once, into the caller, instead of twice.
        if (!file.IsDirect && destination.Length >= SpliceMinLength &&
            MemoryMarshal.TryGetMemoryManager<byte, MemoryManager<byte>>(destination, out var owner) && owner is ISpliceTarget target &&
            target.TrySplice(file.Fd, offset, destination.Length, out var spliced))
        {
            return new(spliced);
        }

        fixed (byte* buffer = destination.Span)
        {
            // Reads too small to be read ahead skip it whole: no claim on the handle, no clock read.
            if (destination.Length < ReadAhead.MinLength || file.ReadAhead is not { } ahead || !ahead.TryEnter())
            {
                return new(Transfer(file, offset, buffer, destination.Length, write: false));
            }

            try
            {
                if (!ahead.TryServe(offset, buffer, destination.Length, out var result))
                {
                    result = Transfer(file, offset, buffer, destination.Length, write: false);
                }

                ahead.Follow(offset, destination.Length, result);
                return new(result);
            }
            finally
            {
                ahead.Exit();
            }
        }
    }

    public ValueTask<IoResult> WriteAsync(ulong handle, long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        if (_files.Get(handle) is not { } file)
        {
            return new(IoResult.Failed(Errno.EBADF));
        }

        fixed (byte* buffer = source.Span)
        {
            var result = Transfer(file, offset, buffer, source.Length, write: true);
            file.Owner.DataChanged();
            return new(result);
        }
    }

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

        var result = copied < 0 ? IoResult.Failed(LastError) : IoResult.Done(copied);
        output.Owner.DataChanged();
        return new(result);
    }

    public Errno Flush(ulong handle) => _files.Get(handle) is null ? Errno.EBADF : Errno.Success;

    public Errno Release(ulong handle)
    {
        if (_files.Remove(handle) is not { } file)
        {
            return Errno.EBADF;
        }

        file.Close();
        _handles.Return(handle);
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

    public Errno Allocate(ulong handle, int mode, long offset, long length)
    {
        if (_files.Get(handle) is not { } file)
        {
            return Errno.EBADF;
        }

        var error = Check(FAllocate(file.Fd, mode, offset, length)); // punching a hole changes what reads return
        file.Owner.DataChanged();
        return error;
    }

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

    // Gives an open file its handle; closes it when every handle is in use.
    private Errno AddFile(PassthroughFile opened, out OpenedFile file)
    {
        file = default;
        if (!_handles.TryRent(out var handle))
        {
            opened.Close();
            return Errno.EMFILE;
        }

        _files.Set(handle, opened);
        file = new OpenedFile(handle, DirectIo: false); // the mount decides (FuseOptions.DirectIo)
        return Errno.Success;
    }

    // pread or pwrite until the whole range is done (or, reading, the file ends). A request the backing O_DIRECT
    // descriptor refuses for its alignment (EINVAL) is repeated through the file's buffered descriptor.
    private static IoResult Transfer(PassthroughFile file, long offset, byte* buffer, int length, bool write)
    {
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
}
