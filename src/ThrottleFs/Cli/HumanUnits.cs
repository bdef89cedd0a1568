using System.Globalization;

namespace ThrottleFs.Cli;

/// <summary>
/// Rates and durations as a person reads them in a table: <c>1.5k op/s</c>, <c>4.0 MiB/s</c>, <c>3h04m05s</c>.
/// Operations use SI prefixes (1k = 1000), bytes binary ones (1 KiB = 1024), as the limits' K/M/G do.
/// </summary>
internal static class HumanUnits
{
    private static readonly string[] SiPrefixes = ["k", "M", "G", "T", "P"];
    private static readonly string[] BinaryPrefixes = ["KiB", "MiB", "GiB", "TiB", "PiB"];

    /// <summary>An operation rate: <c>0 op/s</c>, <c>2.5 op/s</c>, <c>250 op/s</c>, <c>1.0k op/s</c>, <c>2.3M op/s</c>.</summary>
    public static string OpsPerSecond(double opsPerSecond)
    {
        var value = Sanitize(opsPerSecond);
        if (value < 1000)
        {
            // Below 10 a decimal matters: averages since the mount started are often a fraction of an op per second.
            return value.ToString(value < 10 ? "0.#" : "0", CultureInfo.InvariantCulture) + " op/s";
        }

        return Scaled(value, 1000, SiPrefixes, "") + " op/s";
    }

    /// <summary>A byte rate: <c>512 B/s</c>, <c>1.0 KiB/s</c>, <c>4.0 MiB/s</c>.</summary>
    public static string BytesPerSecond(double bytesPerSecond)
    {
        var value = Sanitize(bytesPerSecond);
        if (value < 1024)
        {
            return value.ToString("0", CultureInfo.InvariantCulture) + " B/s";
        }

        return Scaled(value, 1024, BinaryPrefixes, " ") + "/s";
    }

    /// <summary>A duration to the second: <c>42s</c>, <c>12m05s</c>, <c>3h04m05s</c>, <c>2d03h04m</c>.</summary>
    public static string Duration(double seconds)
    {
        var time = TimeSpan.FromSeconds(Math.Floor(Math.Min(Sanitize(seconds), TimeSpan.MaxValue.TotalSeconds - 1)));
        return time switch
        {
            { TotalMinutes: < 1 } => $"{time.Seconds}s",
            { TotalHours: < 1 } => $"{time.Minutes}m{time.Seconds:00}s",
            { TotalDays: < 1 } => $"{time.Hours}h{time.Minutes:00}m{time.Seconds:00}s",
            _ => $"{(long)time.TotalDays}d{time.Hours:00}h{time.Minutes:00}m",
        };
    }

    // A rate from counters that went backwards, or over no time, is shown as 0 rather than as garbage.
    private static double Sanitize(double value) => double.IsFinite(value) && value > 0 ? value : 0;

    private static string Scaled(double value, double step, string[] prefixes, string separator)
    {
        var index = -1;
        while (value >= step && index < prefixes.Length - 1)
        {
            value /= step;
            index++;
        }

        return value.ToString("0.0", CultureInfo.InvariantCulture) + separator + prefixes[index];
    }

    /// <summary>
    /// A rate in at most 4 characters, for the compact stats table: <c>110</c>, <c>7.0k</c>, <c>27k</c>, <c>1.9M</c>;
    /// bytes count in 1024s (<c>450K</c>, <c>27M</c>).
    /// </summary>
    public static string CompactCount(double value, bool bytes = false)
    {
        var step = bytes ? 1024.0 : 1000.0;
        string[] suffixes = bytes ? ["", "K", "M", "G", "T"] : ["", "k", "M", "G", "T"];
        var unit = 0;
        while (value >= 999.5 && unit < suffixes.Length - 1)
        {
            value /= step;
            unit++;
        }

        return (value < 9.95 && unit > 0 ? value.ToString("0.0", CultureInfo.InvariantCulture) : value.ToString("0", CultureInfo.InvariantCulture)) + suffixes[unit];
    }
}
