using System.Text;

namespace ThrottleFs.FileSystem;

/// <summary>
/// File names are bytes, and not every byte string is UTF-8; the core keys files by path strings. A byte that is not
/// part of valid UTF-8 becomes the lone surrogate U+DC80–U+DCFF (Python's "surrogateescape"), which no valid UTF-8
/// decodes to, so every name has exactly one string and two names never share one. For people, such bytes, control
/// characters and the backslash are written as <c>\xHH</c> and <c>\\</c> (<see cref="Escape"/>), the form control lines
/// and config files accept back (<see cref="Unescape"/>).
/// </summary>
public static class PathText
{
    private const char FirstEscapedByte = '\uDC80';
    private const char LastEscapedByte = '\uDCFF';

    /// <summary>The string of a name or path as the filesystem gave it.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return Encoding.UTF8.GetString(bytes);
        }

        var text = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                text.Append(rune.ToString());
            }
            else
            {
                consumed = 1;
                text.Append((char)(0xDC00 + bytes[0]));
            }

            bytes = bytes[consumed..];
        }

        return text.ToString();
    }

    /// <summary>The bytes a string from <see cref="Decode"/> came from.</summary>
    public static byte[] Encode(string text)
    {
        var bytes = new List<byte>(text.Length);
        Span<byte> buffer = stackalloc byte[4];
        foreach (var rune in Runes(text))
        {
            if (rune.Escaped is { } raw)
            {
                bytes.Add(raw);
            }
            else
            {
                bytes.AddRange(buffer[..rune.Value.EncodeToUtf8(buffer)]);
            }
        }

        return [.. bytes];
    }

    /// <summary>
    /// The path as a person reads and types it: bytes that are not UTF-8 and control characters as <c>\xHH</c>, a
    /// backslash as <c>\\</c>, everything else as it is.
    /// </summary>
    public static string Escape(string path)
    {
        if (!NeedsEscape(path))
        {
            return path;
        }

        var text = new StringBuilder(path.Length + 8);
        foreach (var rune in Runes(path))
        {
            if (rune.Escaped is { } raw)
            {
                text.Append($"\\x{raw:x2}");
            }
            else if (rune.Value.Value < 0x20 || rune.Value.Value == 0x7F)
            {
                text.Append($"\\x{rune.Value.Value:x2}");
            }
            else if (rune.Value.Value == '\\')
            {
                text.Append(@"\\");
            }
            else
            {
                text.Append(rune.Value.ToString());
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Reads <see cref="Escape"/>'s form back: <c>\xHH</c> is the byte HH (several make a UTF-8 character when they
    /// spell one), <c>\\</c> a backslash; any other backslash is itself.
    /// </summary>
    public static string Unescape(string text)
    {
        if (!text.Contains('\\'))
        {
            return text;
        }

        var bytes = new List<byte>(text.Length);
        Span<byte> buffer = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] == '\\')
            {
                bytes.Add((byte)'\\');
                i++;
            }
            else if (text[i] == '\\' && i + 3 < text.Length && text[i + 1] == 'x' && IsHex(text[i + 2]) && IsHex(text[i + 3]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 2, 2), 16));
                i += 3;
            }
            else if (text[i] is >= FirstEscapedByte and <= LastEscapedByte)
            {
                bytes.Add((byte)(text[i] - 0xDC00));
            }
            else
            {
                var pair = char.IsSurrogatePair(text, i);
                var rune = pair ? Rune.GetRuneAt(text, i) : char.IsSurrogate(text[i]) ? Rune.ReplacementChar : new Rune(text[i]);
                bytes.AddRange(buffer[..rune.EncodeToUtf8(buffer)]);
                i += pair ? 1 : 0;
            }
        }

        return Decode([.. bytes]);
    }

    private static bool NeedsEscape(string path)
    {
        foreach (var c in path)
        {
            if (c < 0x20 || c == 0x7F || c == '\\' || char.IsSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    // The runes of a string, with the escaped bytes apart (they are lone surrogates, which Rune cannot hold).
    private static IEnumerable<(Rune Value, byte? Escaped)> Runes(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is >= FirstEscapedByte and <= LastEscapedByte)
            {
                yield return (default, (byte)(text[i] - 0xDC00));
            }
            else if (char.IsSurrogatePair(text, i))
            {
                yield return (Rune.GetRuneAt(text, i), null);
                i++;
            }
            else
            {
                yield return (char.IsSurrogate(text[i]) ? Rune.ReplacementChar : new Rune(text[i]), null);
            }
        }
    }
}
