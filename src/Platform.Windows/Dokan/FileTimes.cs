namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>
/// Windows FILETIME (100 ns units since 1601-01-01 UTC) to and from POSIX seconds and nanoseconds since 1970. A POSIX
/// time before 1601 cannot be shown and becomes 1601 itself (FILETIME 0, which Explorer shows as 1601).
/// </summary>
internal static class FileTimes
{
    /// <summary>1970-01-01 as a FILETIME.</summary>
    public const long UnixEpoch = 116_444_736_000_000_000;

    private const long TicksPerSecond = 10_000_000;

    public static long From(long seconds, uint nanoseconds)
    {
        if (seconds < -UnixEpoch / TicksPerSecond)
        {
            return 0;
        }

        return seconds > (long.MaxValue - UnixEpoch) / TicksPerSecond - 1
            ? long.MaxValue
            : UnixEpoch + (seconds * TicksPerSecond) + (nanoseconds / 100);
    }

    public static (long Seconds, uint Nanoseconds) ToUnix(long fileTime)
    {
        var sinceEpoch = fileTime - UnixEpoch;
        var seconds = Math.DivRem(sinceEpoch, TicksPerSecond, out var ticks);
        if (ticks < 0)
        {
            (seconds, ticks) = (seconds - 1, ticks + TicksPerSecond);
        }

        return (seconds, (uint)(ticks * 100));
    }
}
