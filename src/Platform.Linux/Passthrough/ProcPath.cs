namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// "/proc/self/fd/N", NUL-terminated, formatted into a caller's stack buffer. Reopening or acting on a node through
/// its O_PATH descriptor's /proc link works for any file type and survives renames and unlinks.
/// </summary>
internal static class ProcPath
{
    public const int MaxLength = 32;
    private static ReadOnlySpan<byte> Prefix => "/proc/self/fd/"u8;

    public static Span<byte> Format(int fd, Span<byte> buffer)
    {
        Prefix.CopyTo(buffer);
        fd.TryFormat(buffer[Prefix.Length..], out var digits, provider: System.Globalization.CultureInfo.InvariantCulture);
        buffer[Prefix.Length + digits] = 0;
        return buffer[..(Prefix.Length + digits + 1)];
    }
}
