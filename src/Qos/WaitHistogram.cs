using System.Numerics;

namespace ThrottleFs.Qos;

/// <summary>
/// Counts waits in logarithmic bins (four per power of two, so a percentile is within 25% of the true value, and
/// never above the longest wait recorded). Requests that did not wait only bump a counter; the bins are allocated on
/// the first real wait, so an unthrottled member costs one long.
/// </summary>
internal sealed class WaitHistogram
{
    private const int SubBins = 4;
    private const int SubBinBits = 2;
    private long _zero;
    private long _total;
    private long _max;
    private long[]? _bins;

    public long Count => _total;

    public void Record(long waitNs)
    {
        _total++;
        if (waitNs <= 0)
        {
            _zero++;
            return;
        }

        _bins ??= new long[64 * SubBins];
        _bins[BinOf(waitNs)]++;
        _max = Math.Max(_max, waitNs);
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
        var zero = _zero + moreZeros;
        if (rank <= zero || _bins is null)
        {
            return 0;
        }

        var seen = zero;
        for (var bin = 0; bin < _bins.Length; bin++)
        {
            seen += _bins[bin];
            if (seen >= rank)
            {
                return Math.Min(UpperBound(bin), _max);
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
