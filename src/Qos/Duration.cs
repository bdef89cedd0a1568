using System.Globalization;

namespace ThrottleFs.Qos;

/// <summary>
/// Durations as configs write them: <c>250ms</c>, <c>1.5s</c>, <c>2m</c>, <c>1h</c>, or <c>250us</c> for the short waits
/// of a fast disk. Nanoseconds inside, like every time in the engine.
/// </summary>
public static class Duration
{
    /// <summary>The longest duration a key takes: a day.</summary>
    public const long MaxNs = 86_400L * 1_000_000_000;

    /// <summary>Parses a non-negative duration with its unit; false for anything else.</summary>
    public static bool TryParse(string? text, out long nanoseconds)
    {
        nanoseconds = 0;
        var value = (text ?? "").Trim().ToLowerInvariant();
        var (number, unit) = value.EndsWith("us", StringComparison.Ordinal) ? (value[..^2], 1e3)
            : value.EndsWith("ms", StringComparison.Ordinal) ? (value[..^2], 1e6)
            : value.EndsWith('s') ? (value[..^1], 1e9)
            : value.EndsWith('m') ? (value[..^1], 60e9)
            : value.EndsWith('h') ? (value[..^1], 3600e9)
            : (value, double.NaN);
        if (double.IsNaN(unit) || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        var ns = amount * unit;
        if (ns > long.MaxValue / 2)
        {
            return false;
        }

        nanoseconds = (long)Math.Round(ns);
        return true;
    }

    /// <summary>The duration in the largest unit that writes it whole: <c>20ms</c>, <c>1500us</c>, <c>2s</c>.</summary>
    public static string Format(long nanoseconds) =>
        nanoseconds % 60_000_000_000 == 0 && nanoseconds != 0 ? $"{nanoseconds / 60_000_000_000}m"
        : nanoseconds % 1_000_000_000 == 0 && nanoseconds != 0 ? $"{nanoseconds / 1_000_000_000}s"
        : nanoseconds % 1_000_000 == 0 ? $"{nanoseconds / 1_000_000}ms"
        : nanoseconds % 1_000 == 0 ? $"{nanoseconds / 1_000}us"
        : $"{(nanoseconds / 1e3).ToString(CultureInfo.InvariantCulture)}us";
}
