namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// Times between .NET's <see cref="DateTime"/> (100 ns ticks) and the contract's seconds and nanoseconds since the
/// epoch. Both backing stores keep finer times than a tick on some filesystems (ext4: 1 ns); what .NET reads and writes
/// is rounded to 100 ns, the finest step every portable API shares.
/// </summary>
internal static class BackingTime
{
    private const long NanosecondsPerTick = 100;

    /// <summary>A UTC time as seconds and nanoseconds since the epoch (floored, so times before 1970 work too).</summary>
    public static (long Seconds, uint Nanoseconds) From(DateTime utc)
    {
        var ticks = utc.Ticks - DateTime.UnixEpoch.Ticks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += TimeSpan.TicksPerSecond;
        }

        return (seconds, (uint)(remainder * NanosecondsPerTick));
    }

    /// <summary>Seconds and nanoseconds since the epoch as a UTC time; false when .NET cannot represent it.</summary>
    public static bool TryTo(long seconds, uint nanoseconds, out DateTime utc)
    {
        utc = default;
        if (nanoseconds >= 1_000_000_000 || seconds > (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond - 1
            || seconds < -DateTime.UnixEpoch.Ticks / TimeSpan.TicksPerSecond)
        {
            return false;
        }

        utc = new DateTime(DateTime.UnixEpoch.Ticks + (seconds * TimeSpan.TicksPerSecond) + (nanoseconds / NanosecondsPerTick), DateTimeKind.Utc);
        return true;
    }
}
