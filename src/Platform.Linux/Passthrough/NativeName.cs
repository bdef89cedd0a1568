namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// A name as the kernel gave it, copied NUL-terminated onto the stack for a libc call. Names are at most 255 bytes
/// (NAME_MAX); longer ones are refused with ENAMETOOLONG before anything is called.
/// </summary>
internal static class NativeName
{
    public const int BufferSize = 256 + 1;

    public static bool TryCopy(ReadOnlySpan<byte> name, Span<byte> buffer)
    {
        if (name.Length >= buffer.Length)
        {
            return false;
        }

        name.CopyTo(buffer);
        buffer[name.Length] = 0;
        return true;
    }
}
