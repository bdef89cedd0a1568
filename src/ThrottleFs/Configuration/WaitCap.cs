using ThrottleFs.Qos;

namespace ThrottleFs.Configuration;

/// <summary>
/// The config's <c>max-wait</c>: how long a read or write may wait for its throttle before it fails with a timeout.
/// Written as a duration (<c>250ms</c>, <c>30s</c>, <c>2m</c>) or <c>none</c> (wait as long as it takes, QEMU's way).
/// </summary>
internal static class WaitCap
{
    /// <summary>The longest cap that makes sense: a day. Anything longer is "none" with extra steps.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(1);

    /// <summary>Parses a cap: a positive duration, or <see cref="Timeout.InfiniteTimeSpan"/> for <c>none</c>.</summary>
    public static bool TryParse(string? text, out TimeSpan cap, out string? problem)
    {
        cap = default;
        problem = null;
        var value = (text ?? "").Trim().ToLowerInvariant();
        if (value == "none")
        {
            cap = Timeout.InfiniteTimeSpan;
            return true;
        }

        if (!Duration.TryParse(value, out var nanoseconds))
        {
            problem = $"'{text}' is not a duration: write e.g. 250ms, 30s or 2m, or none to wait as long as it takes";
            return false;
        }

        if (nanoseconds < 1_000_000 || nanoseconds > Longest.Ticks * 100)
        {
            problem = $"'{text}' is out of range: a cap is between 1ms and 1440m (a day), or none";
            return false;
        }

        cap = TimeSpan.FromTicks(nanoseconds / 100);
        return true;
    }

    /// <summary>The cap as the config writes it.</summary>
    public static string Format(TimeSpan cap) => cap == Timeout.InfiniteTimeSpan ? "none" : Duration.Format(cap.Ticks * 100);
}
