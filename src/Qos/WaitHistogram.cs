using System.Numerics;

namespace ThrottleFs.Qos;

/// <summary>
/// Counts waits in logarithmic bins (four per power of two, so a percentile is within 25% of the true value, and
/// never above the longest wait recorded). Only the bins in use are kept, sorted, each packed with its count in one
/// long: waits cluster in a few bins, so a histogram costs tens of bytes, not the two kilobytes a full table of bins
/// would for every file that has waited. Requests that did not wait only bump a counter.
/// </summary>
internal class WaitHistogram
{
    private const int SubBins = 4;
    private const int SubBinBits = 2;
    private const int CountBits = 56;
    private const long CountMask = (1L << CountBits) - 1;
    private long _zero;
    private long _total;
    private long _max;
    private long[]? _bins; // (bin << 56) | count, sorted by bin; the first _used are in use
    private int _used;

    public long Count => _total;

    /// <summary>The longest wait recorded.</summary>
    public long Max => _max;

    public void Record(long waitNs)
    {
        _total++;
        if (waitNs <= 0)
        {
            _zero++;
            return;
        }

        _max = Math.Max(_max, waitNs);
        var bin = (long)BinOf(waitNs) << CountBits;
        var index = 0;
        while (index < _used && (_bins![index] & ~CountMask) < bin)
        {
            index++;
        }

        if (index < _used && (_bins![index] & ~CountMask) == bin)
        {
            _bins[index]++;
            return;
        }

        if (_bins is null || _used == _bins.Length)
        {
            Array.Resize(ref _bins, Math.Max(4, _used * 2));
        }

        Array.Copy(_bins, index, _bins, index + 1, _used - index);
        _bins[index] = bin | 1;
        _used++;
    }

    /// <summary>
    /// The wait below which <paramref name="fraction"/> of recorded requests fall: the upper bound of its bin, or the
    /// longest wait when that is shorter (a bin's bound may lie beyond anything recorded in it).
    /// </summary>
    public long Percentile(double fraction) => Percentile(fraction, 0);

    /// <summary>As <see cref="Percentile(double)"/>, counting <paramref name="moreZeros"/> unrecorded requests that did not wait.</summary>
    public long Percentile(double fraction, long moreZeros)
    {
        var total = _total + moreZeros;
        if (total == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(fraction * total);
        var seen = _zero + moreZeros;
        if (rank <= seen || _bins is null)
        {
            return 0;
        }

        for (var index = 0; index < _used; index++)
        {
            seen += _bins[index] & CountMask;
            if (seen >= rank)
            {
                return Math.Min(UpperBound((int)(_bins[index] >>> CountBits)), _max);
            }
        }

        return _max;
    }

    private static int BinOf(long ns)
    {
        var log = BitOperations.Log2((ulong)ns);
        if (log < SubBinBits)
        {
            return (int)ns; // 1..3 ns get exact bins (never in practice, but keeps the maths total)
        }

        var sub = (int)(ns >> (log - SubBinBits)) & (SubBins - 1);
        return (log * SubBins) + sub;
    }

    private static long UpperBound(int bin)
    {
        var log = bin / SubBins;
        if (log < SubBinBits)
        {
            return bin;
        }

        var sub = bin % SubBins;
        var step = 1L << (log - SubBinBits);
        return ((SubBins + sub + 1) * step) - 1;
    }
}
