using System.Text;

namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// Hostile input as a failure message shows it: printable ASCII as it is, line ends and tabs as <c>\n</c>, <c>\r</c>,
/// <c>\t</c>, a backslash as <c>\\</c>, every other byte as <c>\xHH</c>; a long input keeps its start and its end and
/// says how much was left out between them.
/// </summary>
internal static class FuzzInput
{
    public const int Head = 600;
    public const int Tail = 200;

    public static string Show(ReadOnlySpan<byte> input)
    {
        if (input.Length <= Head + Tail)
        {
            return $"{input.Length} bytes: {Escape(input)}";
        }

        return $"{input.Length} bytes: {Escape(input[..Head])}…[{input.Length - Head - Tail} bytes left out]…{Escape(input[^Tail..])}";
    }

    public static string Show(string text) => Show(Encoding.UTF8.GetBytes(text));

    private static string Escape(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            text.Append(b switch
            {
                (byte)'\n' => "\\n",
                (byte)'\r' => "\\r",
                (byte)'\t' => "\\t",
                (byte)'\\' => "\\\\",
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                _ => $"\\x{b:x2}",
            });
        }

        return text.ToString();
    }
}
