using System.Text;
using System.Text.Unicode;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// A name as the platform sends it (bytes) made into the string .NET's file APIs take, or the errno for one that
/// cannot be. .NET takes paths as UTF-16 strings and writes them as UTF-8 on Unix, so a name that is not valid UTF-8
/// has no string that reaches it (<see cref="PathText"/>'s escapes would reach other bytes): it is refused with
/// EINVAL, as no portable call could create or open it. A slash, a backslash or a NUL would make the name a path (or
/// cut it short) on one platform or the other, so they are refused everywhere, and the passthrough behaves the same
/// wherever it is tested. On Windows, what the Win32 layer would read as something else is refused too: a colon (an
/// alternate data stream), a trailing dot or space (which path normalization strips, reaching another file) and the
/// DOS device names (<c>NUL</c>, <c>COM1.txt</c>, ..., which reach a device in any directory).
/// </summary>
internal static class BackingName
{
    /// <summary>The longest name: 255 bytes on Unix (NAME_MAX), 255 UTF-16 units on Windows (NTFS).</summary>
    public const int MaxLength = 255;

    private static readonly string[] DeviceNames =
    [
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];

    /// <summary>The name as a string, or why there is none.</summary>
    public static Errno Decode(ReadOnlySpan<byte> name, out string text)
    {
        text = "";
        if (name.IsEmpty)
        {
            return Errno.ENOENT;
        }

        if (!Utf8.IsValid(name))
        {
            return Errno.EINVAL;
        }

        text = Encoding.UTF8.GetString(name);
        if ((OperatingSystem.IsWindows() ? text.Length : name.Length) > MaxLength)
        {
            return Errno.ENAMETOOLONG;
        }

        if (text.AsSpan().IndexOfAny('/', '\\', '\0') >= 0)
        {
            return Errno.EINVAL;
        }

        return OperatingSystem.IsWindows() && !IsDot(text) && IsWindowsSpecial(text) ? Errno.EINVAL : Errno.Success;
    }

    /// <summary>
    /// The name of a new entry, or of one to remove or rename: "." and ".." are never that (the kernel resolves them
    /// itself and never sends them here).
    /// </summary>
    public static Errno DecodeEntry(ReadOnlySpan<byte> name, out string text)
    {
        var error = Decode(name, out text);
        return error == Errno.Success && IsDot(text) ? Errno.EINVAL : error;
    }

    /// <summary>Whether the name is "." or "..".</summary>
    public static bool IsDot(string text) => text is "." or "..";

    /// <summary>The name's bytes, as the platform reads them back from a listing.</summary>
    public static byte[] Encode(string text) => Encoding.UTF8.GetBytes(text);

    private static bool IsWindowsSpecial(string text)
    {
        if (text.Contains(':') || text.EndsWith('.') || text.EndsWith(' '))
        {
            return true;
        }

        var stem = text.AsSpan();
        var dot = stem.IndexOf('.');
        stem = (dot >= 0 ? stem[..dot] : stem).TrimEnd(' ');
        foreach (var device in DeviceNames)
        {
            if (stem.Equals(device, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
