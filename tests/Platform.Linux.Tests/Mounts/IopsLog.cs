using System.Globalization;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// fio's per-interval IOPS log (<c>--write_iops_log=PREFIX --log_avg_msec=N</c>): one line per interval,
/// "end time ms, IOPS averaged over the interval, direction, block size, offset". Gives the rate over any window of
/// the run, so a test can see when a live change took hold.
/// </summary>
internal sealed class IopsLog(IReadOnlyList<(long EndMs, double Iops)> samples)
{
    public static IopsLog Read(string path) => new(
        File.ReadLines(path)
            .Select(line => line.Split(','))
            .Where(fields => fields.Length >= 2)
            .Select(fields => (long.Parse(fields[0].Trim(), CultureInfo.InvariantCulture), double.Parse(fields[1].Trim(), CultureInfo.InvariantCulture)))
            .ToList());

    /// <summary>The mean IOPS of the intervals that end within [<paramref name="fromMs"/>, <paramref name="toMs"/>].</summary>
    public double Rate(long fromMs, long toMs)
    {
        var window = samples.Where(sample => sample.EndMs > fromMs && sample.EndMs <= toMs).ToList();
        return window.Count == 0 ? throw new InvalidOperationException($"no fio samples between {fromMs} and {toMs} ms: {this}") : window.Average(s => s.Iops);
    }

    public override string ToString() => string.Join(" ", samples.Select(s => $"{s.EndMs}:{s.Iops:F0}"));
}
