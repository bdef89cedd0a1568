using static ThrottleFs.Platform.Linux.Tests.Mounts.Libc;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>
/// Makes each operation on the real files through the mount, with plain libc calls, and returns what the call
/// returned. Data goes through one aligned buffer: a write's data is in it (at the operation's memory offset)
/// before the call, a read's data is in it after.
/// </summary>
internal sealed unsafe class OperationRunner(MountedFile file, MountedFile other, AlignedBuffer io)
{
    public const int PageSize = 4096;

    /// <summary>Where an operation's data lies in the buffer.</summary>
    public Span<byte> Data(in Operation op, long length) => io.Slice(op.MemoryOffset, (int)length);

    public Outcome Run(in Operation op)
    {
        var buffer = io.Pointer + op.MemoryOffset;
        switch (op.Kind)
        {
            case OperationKind.Read:
                return Result(PRead(file.Fd, buffer, (nint)op.Length, op.Offset));
            case OperationKind.Write:
                return Result(PWrite(file.Fd, buffer, (nint)op.Length, op.Offset));
            case OperationKind.MapRead:
                return Mapped(op, buffer, write: false);
            case OperationKind.MapWrite:
                return Mapped(op, buffer, write: true);
            case OperationKind.Truncate:
                return Result(FTruncate(file.Fd, op.Target));
            case OperationKind.CopyWithin:
                return Copy(file, op.Offset, file, op.Target, op.Length);
            case OperationKind.CopyFromOther:
                return Copy(other, op.Offset, file, op.Target, op.Length);
            case OperationKind.CopyToOther:
                return Copy(file, op.Offset, other, op.Target, op.Length);
            case OperationKind.Fsync:
                return Result(FSync(file.Fd));
            case OperationKind.Fdatasync:
                return Result(FDataSync(file.Fd));
            case OperationKind.Reopen:
                return file.Reopen(truncate: false);
            case OperationKind.ReopenTruncating:
                return file.Reopen(truncate: true);
            default:
                return Result(FAllocate(file.Fd, Operation.AllocateMode(op.Kind), op.Offset, op.Length));
        }
    }

    // Reads errno first: nothing else may make a P/Invoke between the call and this.
    private static Outcome Result(long result, string? step = null) => result < 0 ? Outcome.Failed(LastErrno, step) : Outcome.Done(result);

    // As fsx: map the pages that hold the range (MAP_SHARED), copy, msync a write, unmap. A write past the end first
    // grows the file with ftruncate, since a mapping cannot reach past the end. After MS_ASYNC the dirty pages reach
    // the mount later, as FUSE writes among the next operations' requests; the kernel (FUSE_DIRECT_IO_ALLOW_MMAP)
    // writes them back before it sends a direct read or write, a copy or a truncate that covers them, so the model
    // stays right without waiting.
    private Outcome Mapped(in Operation op, byte* buffer, bool write)
    {
        var end = op.Offset + op.Length;
        var size = file.SizeOnMount();
        if (!size.Succeeded)
        {
            return size;
        }

        if (write && end > size.Result && FTruncate(file.Fd, end) < 0)
        {
            return Outcome.Failed(LastErrno, "ftruncate");
        }

        if (!write && end > size.Result)
        {
            // The model says the range is within the file, the mount does not: touching the pages past its end would raise SIGBUS.
            return Outcome.Failed(0, $"not mapped: st_size {size.Result} ends before the range");
        }

        var start = op.Offset / PageSize * PageSize;
        var length = (nuint)(end - start);
        var map = (byte*)MMap(null, length, write ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, file.Fd, start);
        if (map == MapFailed)
        {
            return Outcome.Failed(LastErrno, "mmap");
        }

        try
        {
            var inMap = new Span<byte>(map + (op.Offset - start), (int)op.Length);
            var inBuffer = new Span<byte>(buffer, (int)op.Length);
            if (!write)
            {
                inMap.CopyTo(inBuffer);
                return Outcome.Done(op.Length);
            }

            inBuffer.CopyTo(inMap);
            return MSync(map, length, op.Synchronous ? MS_SYNC : MS_ASYNC) < 0 ? Outcome.Failed(LastErrno, "msync") : Outcome.Done(op.Length);
        }
        finally
        {
            MUnmap(map, length);
        }
    }

    // copy_file_range with the whole length, as asked; then, if it copied less, more calls for the rest of what the
    // source held before the first call (one call may copy less). Not further: a copy within the file that grows it
    // would otherwise go on copying what it has just written.
    private static Outcome Copy(MountedFile source, long from, MountedFile target, long to, long length)
    {
        var size = source.SizeOnMount();
        if (!size.Succeeded)
        {
            return size;
        }

        var available = Math.Max(0, Math.Min(length, size.Result - from));
        long inOffset = from, outOffset = to, total = 0;
        nint copied;
        do
        {
            copied = CopyFileRange(source.Fd, &inOffset, target.Fd, &outOffset, (nint)(total == 0 ? length : available - total), 0);
            if (copied < 0)
            {
                var errno = LastErrno;
                return total == 0 ? Outcome.Failed(errno) : Outcome.Failed(errno, $"copy_file_range after {total} bytes copied");
            }

            total += copied;
        }
        while (copied > 0 && total < available);

        return inOffset == from + total && outOffset == to + total
            ? Outcome.Done(total)
            : Outcome.Failed(0, $"copy_file_range moved the offsets to {inOffset} → {outOffset} after copying {total}");
    }
}
