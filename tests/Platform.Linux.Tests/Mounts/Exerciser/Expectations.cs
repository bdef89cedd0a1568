using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>
/// What Linux does with each operation on a regular file, applied to the models: the outcome the mount must return,
/// and the change to the files' sizes and bytes. The rules are the VFS's own, which every filesystem shares:
/// reads stop at the end of the file; copy_file_range is first shortened to the end of its source, then refused
/// (EINVAL) if source and destination overlap within one file; fallocate refuses a length of 0 (EINVAL); only the
/// modes without KEEP_SIZE grow the file.
/// </summary>
internal static class Expectations
{
    public static Outcome Apply(in Operation op, FileModel file, FileModel other, ReadOnlySpan<byte> written)
    {
        switch (op.Kind)
        {
            case OperationKind.Read:
                return Outcome.Done(file.Available(op.Offset, op.Length));
            case OperationKind.MapRead:
                return Outcome.Done(op.Length); // the exerciser maps only what lies within the file
            case OperationKind.Write:
                file.Write(op.Offset, written);
                return Outcome.Done(op.Length);
            case OperationKind.MapWrite:
                if (op.Offset + op.Length > file.Size)
                {
                    file.Resize(op.Offset + op.Length); // the exerciser grows the file first, as fsx does: a page past the end cannot be written through a mapping
                }

                file.Write(op.Offset, written);
                return Outcome.Done(op.Length);
            case OperationKind.Truncate:
                file.Resize(op.Target);
                return Outcome.Done(0);
            case OperationKind.CopyWithin:
                return Copy(file, op.Offset, file, op.Target, op.Length);
            case OperationKind.CopyFromOther:
                return Copy(other, op.Offset, file, op.Target, op.Length);
            case OperationKind.CopyToOther:
                return Copy(file, op.Offset, other, op.Target, op.Length);
            case OperationKind.Fsync or OperationKind.Fdatasync or OperationKind.Reopen:
                return Outcome.Done(0);
            case OperationKind.ReopenTruncating:
                file.Resize(0);
                return Outcome.Done(0);
            default:
                return Allocate(op, file);
        }
    }

    private static Outcome Allocate(in Operation op, FileModel file)
    {
        if (op.Length <= 0)
        {
            return Outcome.Failed((int)Errno.EINVAL);
        }

        var end = op.Offset + op.Length;
        switch (op.Kind)
        {
            case OperationKind.Allocate:
                file.Resize(Math.Max(file.Size, end));
                break;
            case OperationKind.ZeroRange:
                file.Resize(Math.Max(file.Size, end));
                file.Zero(op.Offset, op.Length);
                break;
            case OperationKind.PunchHole or OperationKind.ZeroRangeKeepSize:
                file.Zero(op.Offset, op.Length);
                break;
        }

        return Outcome.Done(0);
    }

    private static Outcome Copy(FileModel source, long from, FileModel target, long to, long length)
    {
        var count = source.Available(from, length);
        if (ReferenceEquals(source, target) && count > 0 && to + count > from && to < from + count)
        {
            return Outcome.Failed((int)Errno.EINVAL);
        }

        target.CopyFrom(source, from, to, count);
        return Outcome.Done(count);
    }
}
