using ThrottleFs.FileSystem;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>ReadFile, WriteFile, FlushFileBuffers, SetEndOfFile and SetAllocationSize: where the throttle waits.</summary>
internal sealed unsafe partial class DokanDispatcher
{
    // One cancellation source per Dokan thread, reset after each request, so that a read or write admitted at once
    // allocates nothing; one cancelled by the cap is replaced.
    [ThreadStatic]
    private static CancellationTokenSource? t_cancellation;

    /// <summary>
    /// Reads into Dokan's buffer, waiting for the throttle on this thread (<see cref="RequestWait"/>). Nothing read
    /// is END_OF_FILE; a short read tells the application the file ends there.
    /// </summary>
    public int ReadFile(void* buffer, uint bufferLength, uint* readLength, long offset, DokanFileInfo* info)
    {
        *readLength = 0;
        if (Find(info) is not { } open)
        {
            return NtStatus.InvalidHandle;
        }

        if (open.IsDirectory)
        {
            return NtStatus.InvalidDeviceRequest;
        }

        var error = DataHandle(open, writing: false, info, out var handle);
        if (error != Errno.Success)
        {
            return ErrnoStatus.From(error);
        }

        if (bufferLength == 0)
        {
            return NtStatus.Success;
        }

        var result = Transfer(handle, offset, buffer, (int)Math.Min(bufferLength, int.MaxValue), write: false, info);
        if (result.Error != Errno.Success)
        {
            return ErrnoStatus.From(result.Error);
        }

        *readLength = (uint)result.Bytes;
        return result.Bytes == 0 ? NtStatus.EndOfFile : NtStatus.Success;
    }

    /// <summary>
    /// Writes Dokan's buffer. Offset −1 with WriteToEndOfFile appends. Paging I/O (a mapped file's pages going out)
    /// never extends the file: what lies beyond the end is dropped, as NTFS does, or the file would grow to the page.
    /// </summary>
    public int WriteFile(void* buffer, uint bytesToWrite, uint* bytesWritten, long offset, DokanFileInfo* info)
    {
        *bytesWritten = 0;
        if (Find(info) is not { } open)
        {
            return NtStatus.InvalidHandle;
        }

        if (open.IsDirectory)
        {
            return NtStatus.InvalidDeviceRequest;
        }

        var error = DataHandle(open, writing: true, info, out var handle);
        if (error != Errno.Success)
        {
            return ErrnoStatus.From(error);
        }

        long count = bytesToWrite;
        if (info->WriteToEndOfFile != 0 || offset < 0 || info->PagingIo != 0)
        {
            error = _fs.GetAttributes(open.Node, handle, out var attributes);
            if (error != Errno.Success)
            {
                return ErrnoStatus.From(error);
            }

            var size = (long)attributes.Size;
            if (info->WriteToEndOfFile != 0 || offset < 0)
            {
                offset = size;
            }
            else
            {
                count = Math.Clamp(size - offset, 0, count);
            }
        }

        if (count == 0)
        {
            return NtStatus.Success;
        }

        var result = Transfer(handle, offset, buffer, (int)Math.Min(count, int.MaxValue), write: true, info);
        if (result.Error != Errno.Success)
        {
            return ErrnoStatus.From(result.Error);
        }

        *bytesWritten = (uint)result.Bytes;
        return NtStatus.Success;
    }

    /// <summary>FlushFileBuffers: fsync, so the data is on the backing store's disk.</summary>
    public int FlushFileBuffers(DokanFileInfo* info)
    {
        if (Find(info) is not { } open)
        {
            return NtStatus.InvalidHandle;
        }

        return open.Handle == 0 ? NtStatus.Success : ErrnoStatus.From(open.IsDirectory ? _fs.FsyncDirectory(open.Handle, false) : _fs.Fsync(open.Handle, false));
    }

    /// <summary>SetEndOfFile: truncate or extend.</summary>
    public int SetEndOfFile(long length, DokanFileInfo* info) =>
        Find(info) is not { } open ? NtStatus.InvalidHandle : ErrnoStatus.From(Resize(open, length));

    /// <summary>
    /// SetAllocationSize: Windows reserves space with it before writing, and shrinks with it. Only shrinking changes
    /// what a POSIX file holds; a reservation beyond the end must not grow the file.
    /// </summary>
    public int SetAllocationSize(long allocationSize, DokanFileInfo* info)
    {
        if (Find(info) is not { } open)
        {
            return NtStatus.InvalidHandle;
        }

        var error = _fs.GetAttributes(open.Node, HandleOf(open), out var attributes);
        return error != Errno.Success ? ErrnoStatus.From(error)
            : allocationSize < (long)attributes.Size ? ErrnoStatus.From(Resize(open, allocationSize))
            : NtStatus.Success;
    }

    private Errno Resize(DokanOpen open, long length)
    {
        var changes = new AttributeChanges(AttributeFields.Size, 0, 0, 0, length, 0, 0, 0, 0, HandleOf(open));
        return _fs.SetAttributes(open.Node, changes, out _);
    }

    // A file's data handle for calls that may take one; a directory's handle is not one.
    private static ulong? HandleOf(DokanOpen open) => open.Handle != 0 && !open.IsDirectory ? open.Handle : null;

    private IoResult Transfer(ulong handle, long offset, void* buffer, int length, bool write, DokanFileInfo* info)
    {
        var cancellation = t_cancellation ??= new CancellationTokenSource();
        var memory = NativeBuffer.For(buffer, length);
        var pending = write
            ? _fs.WriteAsync(handle, offset, memory, cancellation.Token)
            : _fs.ReadAsync(handle, offset, memory, cancellation.Token);
        var result = _wait.Wait(pending, cancellation, info);
        if (!cancellation.TryReset())
        {
            cancellation.Dispose();
            t_cancellation = null;
        }

        return result;
    }

    /// <summary>
    /// The open's data handle, opened now if the open had none: a directory's for a listing, or a file's for paging I/O
    /// that reached an open made only for attributes.
    /// </summary>
    private Errno DataHandle(DokanOpen open, bool writing, DokanFileInfo* info, out ulong handle)
    {
        handle = open.Handle;
        if (handle != 0)
        {
            return Errno.Success;
        }

        lock (open)
        {
            if (open.Handle == 0)
            {
                Errno error;
                OpenedFile opened;
                if (open.IsDirectory)
                {
                    error = _fs.OpenDirectory(open.Node, out opened);
                }
                else
                {
                    error = _fs.Open(_requestors.Identify(info), open.Node, (open.Flags & ~OpenFlags.AccessMode) | (writing ? OpenFlags.ReadWrite : OpenFlags.ReadOnly), out opened);
                }

                if (error != Errno.Success)
                {
                    return error;
                }

                open.Handle = opened.Handle;
            }

            handle = open.Handle;
            return Errno.Success;
        }
    }
}
