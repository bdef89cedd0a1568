using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// Data I/O on open files: reads and writes at offsets with <see cref="RandomAccess"/>, flush, release, fsync,
/// fallocate and lseek. Reads and writes complete synchronously, as the Linux passthrough's do: by the time they are
/// called the throttle has admitted them, and <see cref="RandomAccess"/> on a synchronous handle allocates nothing.
/// </summary>
public sealed partial class PortablePassthroughFileSystem
{
    private const int SeekData = 3;
    private const int SeekHole = 4;

    public ValueTask<IoResult> ReadAsync(ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_files.Get(handle) is not { CanRead: true } file)
        {
            return new(IoResult.Failed(Errno.EBADF));
        }

        var span = destination.Span;
        var total = 0;
        try
        {
            // Until the range is full or the file ends: a short read means the end of the file.
            while (total < span.Length)
            {
                var read = RandomAccess.Read(file.Handle, span[total..], offset + total);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return new(IoResult.Done(total));
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            return new(total > 0 ? IoResult.Done(total) : IoResult.Failed(BackingError.From(e)));
        }
    }

    public ValueTask<IoResult> WriteAsync(ulong handle, long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        if (_files.Get(handle) is not { CanWrite: true } file)
        {
            return new(IoResult.Failed(Errno.EBADF));
        }

        try
        {
            if (file.Appends)
            {
                // Finding the end and writing there must be one step for every appender of the file, or two appends
                // would land at one offset (O_APPEND does the same in the kernel).
                lock (file.Node.Appends)
                {
                    RandomAccess.Write(file.Handle, source.Span, RandomAccess.GetLength(file.Handle));
                }
            }
            else
            {
                RandomAccess.Write(file.Handle, source.Span, offset);
            }

            return new(IoResult.Done(source.Length));
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            return new(IoResult.Failed(BackingError.From(e)));
        }
    }

    /// <summary>No portable server-side copy: EOPNOTSUPP, on which callers copy through reads and writes.</summary>
    public ValueTask<IoResult> CopyFileRangeAsync(ulong handleIn, long offsetIn, ulong handleOut, long offsetOut, long length, CancellationToken cancellationToken) =>
        new(IoResult.Failed(_files.Get(handleIn) is null || _files.Get(handleOut) is null ? Errno.EBADF : Errno.EOPNOTSUPP));

    /// <summary>Nothing to do: writes are not buffered here, and the handle stays open until released.</summary>
    public Errno Flush(ulong handle) => _files.Get(handle) is null ? Errno.EBADF : Errno.Success;

    public Errno Release(ulong handle)
    {
        if (_files.Remove(handle) is not { } file)
        {
            return Errno.EBADF;
        }

        file.Close();
        _tree.Forget(file.Node.Id, 1);
        _handles.Return(handle);
        return Errno.Success;
    }

    public Errno Fsync(ulong handle, bool dataOnly)
    {
        if (_files.Get(handle) is not { } file)
        {
            return Errno.EBADF;
        }

        // Windows flushes only through a handle that may write; a read-only open has written nothing to flush.
        if (OperatingSystem.IsWindows() && !file.CanWrite)
        {
            return Errno.Success;
        }

        try
        {
            RandomAccess.FlushToDisk(file.Handle);
            return Errno.Success;
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            return BackingError.From(e);
        }
    }

    /// <summary>
    /// fallocate mode 0 (posix_fallocate): the file grows to cover the range. The portable call only sets the length,
    /// so the new range may be sparse rather than reserved. The other modes (keep size, punch hole, zero range, ...)
    /// have no portable call: EOPNOTSUPP, as fallocate(2) answers for a mode the filesystem lacks.
    /// </summary>
    public Errno Allocate(ulong handle, int mode, long offset, long length)
    {
        if (_files.Get(handle) is not { } file)
        {
            return Errno.EBADF;
        }

        if (mode != 0)
        {
            return Errno.EOPNOTSUPP;
        }

        if (offset < 0 || length <= 0)
        {
            return Errno.EINVAL;
        }

        if (!file.CanWrite)
        {
            return Errno.EBADF;
        }

        if (offset > long.MaxValue - length)
        {
            return Errno.EFBIG;
        }

        try
        {
            if (RandomAccess.GetLength(file.Handle) < offset + length)
            {
                RandomAccess.SetLength(file.Handle, offset + length);
            }

            return Errno.Success;
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            return BackingError.From(e);
        }
    }

    /// <summary>
    /// SEEK_DATA and SEEK_HOLE as lseek(2) answers them on a filesystem that does not track holes: the whole file is
    /// data, with the one hole at its end; an offset at or past the end is ENXIO.
    /// </summary>
    public Errno Seek(ulong handle, long offset, int whence, out long result)
    {
        result = 0;
        if (_files.Get(handle) is not { } file)
        {
            return Errno.EBADF;
        }

        if (whence is not (SeekData or SeekHole))
        {
            return Errno.EINVAL;
        }

        try
        {
            var size = RandomAccess.GetLength(file.Handle);
            if (offset < 0 || offset >= size)
            {
                return Errno.ENXIO;
            }

            result = whence == SeekData ? offset : size;
            return Errno.Success;
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            return BackingError.From(e);
        }
    }
}
