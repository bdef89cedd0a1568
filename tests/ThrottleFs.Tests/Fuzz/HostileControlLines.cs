using System.Text;
using ThrottleFs.Control;
using ThrottleFs.Qos;

namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// Control lines meant to break the parser, as raw bytes without their line end: random bytes, NULs, invalid UTF-8
/// (lone continuation bytes, overlong forms, surrogates, truncated sequences, bytes no UTF-8 has), CRs, unbalanced and
/// escaped quotes, stray backslashes and <c>\x</c> escapes of every shape, huge and negative numbers in every notation,
/// every key under every name with garbage values, commands with missing and extra words, long lines up to the 64 KiB
/// a line may have; and valid lines taken apart (a byte inserted, dropped or replaced).
/// </summary>
internal sealed class HostileControlLines(Random random)
{
    private static readonly string[] Commands =
        ["file", "group", "mount", "assign", "unassign", "clear", "clear file", "clear group", "clear mount", "FILE", "Clear", "bogus", "#", "", "file\\x00", "\"file\"", "fi\"le\""];

    private static readonly string[] Paths =
    [
        "a.img", "..", "../a.img", "a/../../b", ".", "/", "//", "\"\"", ".throttlefs", ".throttlefs/control", "./.throttlefs/stats",
        "a\\x00b", "\\x00", "\"unclosed", "\\\"", "\\", "\\x", "\\x4", "\\xZZ", "\\x4g", "\\x\\x41", "\\\\x41", "\"a\"\"b\"", "\"a b\"c",
        "\\xc0\\x80", "\\xed\\xa0\\x80", "\\xf8\\x88\\x80\\x80\\x80", "\\xff\\xfe", "\\xc3", "\\x0a", "\\x0d", "\\x7f", "é", "\u202e.img", "\U0001F600.img",
    ];

    private static readonly string[] Groups = ["vms", "0", "-", "bad name", "g/1", "ü", "", "\"\"", "a\\x00", new string('g', 128), new string('g', 129), "#"];

    private static readonly string[] Values =
    [
        "0", "1", "100", "-1", "-0", "+5", "1000000000000000", "1000000000000001", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775808K", "-9223372036854775808p", "-09223372036854775808GiB", "-9223372036854775807K", "99999999999999999999999", "8191P", "8192P", "9223372036854775807P", "1E", "1K", "1k",
        "1KiB", "1kb", "1iB", "B", "K", "KiB", "0x10", "1e3", "1.5", "1,5", "", "=", "==", "1=2", "\u0661\u0662", "\uff15", "10M10", "--1",
        "leaky", "token", "keep", "reset", "fraction", "round-up", "LEAKY", "bogus", "\\x00", "\\xff", "\"5\"", "5\"", "\t5",
    ];

    private static readonly string[] Keys =
        [.. ThrottleKeys.All.SelectMany(key => (string[])[key.Name, .. key.Aliases, "throttling." + key.Name, key.Name.ToUpperInvariant(), key.Name.Replace('-', '_')]),
         "iops-totl", "x", "throttling.", "iops-total-", "-max", "iops_total_max_length_", "\\x69ops-total", "\"iops-total\""];

    /// <summary>The next hostile line (no line end in it unless it is random bytes, which may have any byte).</summary>
    public byte[] Next() => Generate();

    private byte[] Generate() => random.Next(16) switch
    {
        0 => RandomBytes(random.Next(0, 300)),
        1 => Encoding.UTF8.GetBytes(RandomAscii(random.Next(0, 200))),
        2 => Mutate(Encoding.UTF8.GetBytes(Structured())),
        3 => Mutate(Mutate(Encoding.UTF8.GetBytes(Structured()))),
        4 => Long(),
        5 => Encoding.UTF8.GetBytes($"{Pick(Commands)} {string.Join(' ', Enumerable.Range(0, random.Next(0, 6)).Select(_ => Pick(Paths)))}"),
        _ => Encoding.UTF8.GetBytes(Structured()),
    };

    // A line shaped like a command, with garbage in its parts.
    private string Structured() => random.Next(7) switch
    {
        0 => $"file {Pick(Paths)} {Spec()}",
        1 => $"group {Pick(Groups)} {Spec()}",
        2 => $"mount {Spec()}",
        3 => $"assign {Pick(Paths)} {Pick(Groups)}",
        4 => $"unassign {Pick(Paths)}",
        5 => $"clear {Pick(["file", "group", "mount", "FILE", "x", ""])} {(random.Next(2) == 0 ? Pick(Paths) : Pick(Groups))}",
        _ => $"{Pick(Commands)} {Spec()}",
    };

    private string Spec()
    {
        var pairs = Enumerable.Range(0, random.Next(1, 5)).Select(_ => random.Next(8) switch
        {
            0 => Pick(Keys),
            1 => "=" + Pick(Values),
            _ => $"{Pick(Keys)}={Pick(Values)}",
        });
        return string.Join(Pick([",", " ", ",,", ", ", "\t", "\\,", "\r"]), pairs);
    }

    // Up to 64 KiB, the most a line may have: padding, a long path, a long key, many pairs, a long comment.
    private byte[] Long()
    {
        var length = Pick([255, 256, 4095, 4096, 4097, random.Next(1, OpenControlFiles.MaxLine), OpenControlFiles.MaxLine - 1, OpenControlFiles.MaxLine]);
        var text = random.Next(6) switch
        {
            0 => "mount" + new string(' ', Math.Max(1, length - 18)) + "iops-total=5",
            1 => "file " + new string('p', Math.Max(1, length - 18)) + " iops-total=5",
            2 => "file " + string.Join('/', Enumerable.Repeat("d", length / 2)) + " iops-total=5",
            3 => "mount " + new string('k', Math.Max(1, length - 8)) + "=1",
            4 => "mount " + string.Concat(Enumerable.Repeat("iops-total=1,", length / 13)),
            _ => "#" + RandomAscii(length - 1),
        };
        return Encoding.UTF8.GetBytes(text.Length > length ? text[..length] : text);
    }

    // One to three bytes inserted, dropped or replaced, the inserted ones chosen to hurt.
    private byte[] Mutate(byte[] line)
    {
        var bytes = line.ToList();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var at = random.Next(bytes.Count + 1);
            switch (random.Next(4))
            {
                case 0 when at < bytes.Count:
                    bytes.RemoveAt(at);
                    break;
                case 1 when at < bytes.Count:
                    bytes[at] = Nasty()[0];
                    break;
                default:
                    bytes.InsertRange(at, Nasty());
                    break;
            }
        }

        return [.. bytes];
    }

    private byte[] Nasty() => Pick<byte[]>(
    [
        [0], [0x80], [0xbf], [0xc0, 0x80], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xfe], [0xff], [0xf8],
        "\""u8.ToArray(), "\\"u8.ToArray(), "\\x"u8.ToArray(), "\\x0"u8.ToArray(), "\\x00"u8.ToArray(), "\\xg0"u8.ToArray(), "\\\\"u8.ToArray(),
        "\r"u8.ToArray(), "\r\r"u8.ToArray(), "\t"u8.ToArray(), "\v"u8.ToArray(), "\f"u8.ToArray(), [0xc2, 0x85], [0xe2, 0x80, 0xa8], [0x1b],
        "="u8.ToArray(), ","u8.ToArray(), "#"u8.ToArray(), " "u8.ToArray(), [0xef, 0xbb, 0xbf],
    ]);

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private string RandomAscii(int length)
    {
        var text = new char[Math.Max(0, length)];
        for (var i = 0; i < text.Length; i++)
        {
            text[i] = (char)random.Next(0x20, 0x7f);
        }

        return new string(text);
    }

    private T Pick<T>(IReadOnlyList<T> choices) => choices[random.Next(choices.Count)];
}
