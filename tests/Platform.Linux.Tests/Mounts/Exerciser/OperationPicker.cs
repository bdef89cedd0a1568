using static ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser.ExerciserSettings;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>
/// Chooses the next operation from the seed alone (and the sizes the models give, themselves a product of the
/// seed), so a seed always makes the same operations. Sizes and offsets aim at the edges: zero lengths, one byte
/// either side of 4 KiB boundaries, ranges across the end of the file and far past it (holes), the size cap, and a
/// few transfers up to 1 MiB among mostly small ones. In O_DIRECT mode nine in ten operations are 4 KiB-aligned in
/// offset, length and buffer, as O_DIRECT asks; the tenth is not, which the mount accepts.
/// </summary>
internal sealed class OperationPicker
{
    // Relative weights: mostly reads and writes, as a workload does, with every other kind often enough to meet all
    // the others. Whatever frees blocks is rarer than the rest: /tmp on these machines is ext4 mounted with discard,
    // so a shrinking truncate or a punched hole waits for the disk to discard the blocks (milliseconds, tens of them
    // for a truncate to zero when the disk is busy), and an fsync makes the next shrinking truncate wait too.
    private static readonly (OperationKind Kind, int Weight)[] Weights =
    [
        (OperationKind.Read, 600),
        (OperationKind.Write, 660),
        (OperationKind.MapRead, 70),
        (OperationKind.MapWrite, 60),
        (OperationKind.Truncate, 16),
        (OperationKind.Allocate, 44),
        (OperationKind.AllocateKeepSize, 44),
        (OperationKind.PunchHole, 40),
        (OperationKind.ZeroRange, 56),
        (OperationKind.ZeroRangeKeepSize, 36),
        (OperationKind.CopyWithin, 90),
        (OperationKind.CopyFromOther, 56),
        (OperationKind.CopyToOther, 56),
        (OperationKind.Fsync, 4),
        (OperationKind.Fdatasync, 4),
        (OperationKind.Reopen, 24),
        (OperationKind.ReopenTruncating, 1),
    ];

    private readonly Random _random;
    private readonly bool _direct;
    private readonly OperationKind[] _kinds;
    private readonly int[] _cumulative;

    /// <param name="dropped">fallocate kinds left out because the backing store refuses them.</param>
    public OperationPicker(int seed, bool direct, IReadOnlySet<OperationKind> dropped)
    {
        _random = new Random(seed);
        _direct = direct;
        var kept = Weights.Where(w => !dropped.Contains(w.Kind)).ToArray();
        _kinds = [.. kept.Select(w => w.Kind)];
        _cumulative = new int[kept.Length];
        var sum = 0;
        for (var i = 0; i < kept.Length; i++)
        {
            _cumulative[i] = sum += kept[i].Weight;
        }
    }

    public Operation Next(long number, long size, long otherSize)
    {
        var kind = PickKind();
        var aligned = _direct ? _random.Next(10) != 0 : _random.Next(4) == 0;
        var memory = aligned || _random.Next(3) != 0 ? 0 : _random.Next(1, 512);
        switch (kind)
        {
            case OperationKind.Read or OperationKind.Write:
            {
                var length = Length(aligned);
                return new Operation(number, kind, Offset(size, length, aligned), length, MemoryOffset: memory);
            }

            case OperationKind.MapRead:
            {
                if (size == 0)
                {
                    var length = Length(aligned);
                    return new Operation(number, OperationKind.Read, Offset(size, length, aligned), length, MemoryOffset: memory); // nothing to map
                }

                var wanted = Math.Max(1, Length(aligned));
                var offset = Math.Min(Offset(size, wanted, aligned), size - 1);
                return new Operation(number, kind, offset, Math.Min(wanted, size - offset), MemoryOffset: memory);
            }

            case OperationKind.MapWrite:
            {
                var length = Math.Max(1, Length(aligned));
                var synchronous = _random.Next(4) == 0;
                return new Operation(number, kind, Offset(size, length, aligned), length, MemoryOffset: memory, Synchronous: synchronous);
            }

            case OperationKind.Truncate:
                return new Operation(number, kind, Target: NewSize(size, aligned));
            case OperationKind.CopyWithin:
            {
                var length = Length(aligned);
                var from = Offset(size, length, aligned);
                var to = _random.Next(4) == 0
                    ? Clamp(from + _random.NextInt64(-length, length + 1), length, aligned) // near the source, often overlapping it: refused with EINVAL
                    : Offset(size, length, aligned);
                return new Operation(number, kind, from, length, to);
            }

            case OperationKind.CopyFromOther:
            {
                var length = Length(aligned);
                return new Operation(number, kind, Offset(otherSize, length, aligned), length, Offset(size, length, aligned));
            }

            case OperationKind.CopyToOther:
            {
                var length = Length(aligned);
                return new Operation(number, kind, Offset(size, length, aligned), length, Offset(otherSize, length, aligned));
            }

            case OperationKind.Fsync or OperationKind.Fdatasync or OperationKind.Reopen or OperationKind.ReopenTruncating:
                return new Operation(number, kind);
            default:
            {
                var length = Length(aligned);
                return new Operation(number, kind, Offset(size, length, aligned), length);
            }
        }
    }

    private OperationKind PickKind()
    {
        var roll = _random.Next(_cumulative[^1]);
        var i = 0;
        while (_cumulative[i] <= roll)
        {
            i++;
        }

        return _kinds[i];
    }

    // Mostly small, some of zero length, a few of up to 1 MiB.
    private long Length(bool aligned)
    {
        var roll = _random.Next(1000);
        long length = roll switch
        {
            < 30 => 0,
            < 100 => Alignment + _random.Next(-2, 3), // one either side of a page
            < 770 => _random.Next(1, Alignment + 1),
            < 960 => _random.Next(Alignment + 1, 64 * KiB + 1),
            < 992 => _random.Next((64 * KiB) + 1, (256 * KiB) + 1),
            < 999 => _random.Next((256 * KiB) + 1, MaxTransfer + 1),
            _ => MaxTransfer,
        };
        return aligned ? Math.Min(MaxTransfer, RoundUp(length)) : length;
    }

    // At the start, across the end of the file, past it (a hole), at the size cap, or anywhere within.
    private long Offset(long size, long length, bool aligned)
    {
        var roll = _random.Next(100);
        var offset = roll switch
        {
            < 5 => 0,
            < 25 => size - length + _random.Next(-Alignment, Alignment + 1),
            < 32 => size + _random.Next(1, 256 * KiB),
            < 35 => MaxFileSize - length - _random.Next(0, 2 * Alignment),
            _ => size == 0 ? 0 : _random.NextInt64(size),
        };
        return Clamp(offset, length, aligned);
    }

    // Shrink, grow, to zero, to the same size, a few bytes either way, or anywhere up to the cap.
    private long NewSize(long size, bool aligned)
    {
        var roll = _random.Next(100);
        var target = roll switch
        {
            < 4 => 0,
            < 45 => size == 0 ? 0 : _random.NextInt64(size),
            < 60 => size + _random.Next(1, MaxTransfer + 1),
            < 70 => size,
            < 85 => size + _random.Next(-Alignment, Alignment + 1),
            _ => _random.NextInt64(MaxFileSize + 1),
        };
        target = Math.Clamp(target, 0, MaxFileSize);
        return aligned ? RoundDown(target) : target;
    }

    private static long Clamp(long offset, long length, bool aligned)
    {
        if (aligned)
        {
            offset = RoundDown(offset);
        }

        return Math.Clamp(offset, 0, MaxFileSize - length);
    }

    private static long RoundUp(long value) => (value + Alignment - 1) / Alignment * Alignment;

    private static long RoundDown(long value) => value >= 0 ? value / Alignment * Alignment : -RoundUp(-value);
}
