using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Tests.FileSystem;

/// <summary>
/// Open files: open and create, read, write and copy_file_range (complete at once: nothing here waits), flush, fsync,
/// fallocate, lseek for data and holes, release. Handles come from a <see cref="HandlePool"/>, kept in a
/// <see cref="HandleMap{T}"/>, shared with open directories.
/// </summary>
internal sealed partial class InMemoryFileSystem
{
    /// <summary>open(2) flags, as Linux numbers them.</summary>
    public const int ReadOnly = 0, WriteOnly = 1, ReadWrite = 2, Creat = 0x40, Exclusive = 0x80, Truncate = 0x200, Append = 0x400;

    /// <summary>lseek(2) whence values for data and holes.</summary>
    public const int SeekData = 3, SeekHole = 4;

    private readonly HandlePool _handles = new();
    private readonly HandleMap<OpenNode> _open = new();
    private int _openCount;

    /// <summary>Files and directories open now.</summary>
    public int OpenHandles => Volatile.Read(ref _openCount);

    public Errno Open(in RequestContext context, ulong node, int flags, out OpenedFile file)
    {
        file = default;
        lock (_lock)
        {
            var error = Find(node, out var found);
            error = error != Errno.Success ? error
                : found.IsDirectory ? Errno.EISDIR
                : found.IsSymbolicLink ? Errno.ELOOP
                : Errno.Success;
            return error == Errno.Success ? OpenFile(found, flags, out file) : error;
        }
    }

    public Errno Create(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, int flags, uint mode, out EntryInfo entry, out OpenedFile file)
    {
        (entry, file) = (default, default);
        lock (_lock)
        {
            var error = Directory(parent, out var directory);
            if (error != Errno.Success)
            {
                return error;
            }

            if (directory.Children.TryGetValue(Encoding.UTF8.GetString(name), out var existing))
            {
                // O_CREAT without O_EXCL opens what is there.
                error = (flags & Exclusive) != 0 ? Errno.EEXIST : existing.Node.IsDirectory ? Errno.EISDIR : Errno.Success;
                if (error == Errno.Success)
                {
                    entry = Count(existing.Node);
                    error = OpenFile(existing.Node, flags, out file);
                }
            }
            else
            {
                error = Make(context, parent, name, FileModes.RegularFile | (mode & 0xFFF), [], out entry);
                if (error == Errno.Success)
                {
                    error = OpenFile(_known[entry.Node], flags, out file);
                }
            }

            if (error != Errno.Success && entry.Node != 0)
            {
                Forget(entry.Node, 1);
                entry = default;
            }

            return error;
        }
    }

    public ValueTask<IoResult> ReadAsync(ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var error = Readable(handle, offset, out var file);
            if (error != Errno.Success)
            {
                return new(IoResult.Failed(error));
            }

            ReadCount++;
            var count = (int)Math.Clamp(file.Data.Length - offset, 0, destination.Length);
            file.Data.AsSpan((int)Math.Min(offset, file.Data.Length), count).CopyTo(destination.Span);
            file.Accessed = Now();
            return new(IoResult.Done(count));
        }
    }

    public ValueTask<IoResult> WriteAsync(ulong handle, long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var error = Writable(handle, ref offset, out var file);
            if (error != Errno.Success)
            {
                return new(IoResult.Failed(error));
            }

            WriteCount++;
            Store(file, offset, source.Span);
            return new(IoResult.Done(source.Length));
        }
    }

    public ValueTask<IoResult> CopyFileRangeAsync(ulong handleIn, long offsetIn, ulong handleOut, long offsetOut, long length, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var error = Readable(handleIn, offsetIn, out var source);
            if (error == Errno.Success)
            {
                error = length < 0 ? Errno.EINVAL
                    : _open.Get(Internal(handleOut)) is { Flags: var outFlags } && (outFlags & Append) != 0 ? Errno.EBADF // as Linux
                    : Writable(handleOut, ref offsetOut, out _);
            }

            if (error != Errno.Success)
            {
                return new(IoResult.Failed(error));
            }

            var copied = source.Data.AsSpan().Slice((int)Math.Min(offsetIn, source.Data.Length)).ToArray();
            copied = copied[..(int)Math.Min(copied.Length, length)];
            Store(_open.Get(Internal(handleOut))!.Node, offsetOut, copied);
            return new(IoResult.Done(copied.Length));
        }
    }

    public Errno Flush(ulong handle) => File(handle, out _);

    public Errno Fsync(ulong handle, bool dataOnly) => File(handle, out _);

    public Errno Release(ulong handle)
    {
        lock (_lock)
        {
            var error = File(handle, out _);
            return error == Errno.Success ? Close(handle) : error;
        }
    }

    /// <summary>Mode 0 only (reserve, growing the file); punching holes and the like get EOPNOTSUPP.</summary>
    public Errno Allocate(ulong handle, int mode, long offset, long length)
    {
        lock (_lock)
        {
            var start = offset;
            var error = Writable(handle, ref start, out var file);
            error = error != Errno.Success ? error
                : offset < 0 || length <= 0 ? Errno.EINVAL
                : mode != 0 ? Errno.EOPNOTSUPP
                : Errno.Success;
            if (error == Errno.Success && offset + length > file.Data.Length)
            {
                file.Data = Resized(file.Data, offset + length);
            }

            return error;
        }
    }

    /// <summary>A file here has no holes: data runs from 0 to its size, and the only hole is at the end.</summary>
    public Errno Seek(ulong handle, long offset, int whence, out long result)
    {
        result = 0;
        lock (_lock)
        {
            var error = File(handle, out var open);
            var size = error == Errno.Success ? open.Node.Data.Length : 0;
            error = error != Errno.Success ? error
                : whence is not (SeekData or SeekHole) || offset < 0 ? Errno.EINVAL
                : offset >= size ? Errno.ENXIO
                : Errno.Success;
            result = error != Errno.Success ? 0 : whence == SeekData ? offset : size;
            return error;
        }
    }

    private Errno OpenFile(MemoryNode node, int flags, out OpenedFile file)
    {
        file = default;
        if (OpenFlags.Writes(flags) && (flags & Truncate) != 0)
        {
            node.Data = [];
            node.Modified = node.Changed = Now();
        }

        var error = Rent(new OpenNode(node, flags, IsDirectory: false), out var handle);
        file = error == Errno.Success ? new OpenedFile(handle, DirectIo: false) : default;
        return error;
    }

    private Errno Rent(OpenNode open, out ulong handle)
    {
        if (!_handles.TryRent(out var rented))
        {
            handle = 0;
            return Errno.EMFILE;
        }

        _open.Set(rented, open);
        Interlocked.Increment(ref _openCount);
        handle = HandsOutLayerHandles ? rented + FileSystemIds.FirstLayerHandle : rented;
        return Errno.Success;
    }

    private Errno Close(ulong handle)
    {
        var rented = Internal(handle);
        _open.Remove(rented);
        _handles.Return(rented);
        Interlocked.Decrement(ref _openCount);
        return Errno.Success;
    }

    // Handles handed out in the layers' range (HandsOutLayerHandles) are still taken back.
    private static ulong Internal(ulong handle) => handle >= FileSystemIds.FirstLayerHandle ? handle - FileSystemIds.FirstLayerHandle : handle;

    private Errno OpenOf(ulong handle, out OpenNode open)
    {
        open = _open.Get(Internal(handle))!;
        return open is null ? Errno.EBADF : Errno.Success;
    }

    private Errno File(ulong handle, out OpenNode open)
    {
        lock (_lock)
        {
            var error = OpenOf(handle, out open);
            return error != Errno.Success ? error : open.IsDirectory ? Errno.EISDIR : Errno.Success;
        }
    }

    private Errno Readable(ulong handle, long offset, out MemoryNode file)
    {
        file = null!;
        var error = File(handle, out var open);
        if (error != Errno.Success)
        {
            return error;
        }

        file = open.Node;
        return (open.Flags & OpenFlags.AccessMode) == WriteOnly ? Errno.EBADF : offset < 0 ? Errno.EINVAL : Errno.Success;
    }

    // O_APPEND moves every write to the end.
    private Errno Writable(ulong handle, ref long offset, out MemoryNode file)
    {
        file = null!;
        var error = File(handle, out var open);
        if (error != Errno.Success)
        {
            return error;
        }

        file = open.Node;
        error = !OpenFlags.Writes(open.Flags) ? Errno.EBADF : offset < 0 ? Errno.EINVAL : Errno.Success;
        offset = error == Errno.Success && (open.Flags & Append) != 0 ? file.Data.Length : offset;
        return error;
    }

    private void Store(MemoryNode file, long offset, ReadOnlySpan<byte> bytes)
    {
        if (offset + bytes.Length > file.Data.Length)
        {
            file.Data = Resized(file.Data, offset + bytes.Length);
        }

        bytes.CopyTo(file.Data.AsSpan((int)offset));
        file.Modified = file.Changed = Now();
    }

    /// <summary>An open file or directory.</summary>
    private sealed record OpenNode(MemoryNode Node, int Flags, bool IsDirectory);
}
