using System.Buffers.Binary;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>
/// The data the exerciser writes. Every aligned 8-byte word of the file gets a stamp made of the number of the
/// operation that wrote it and the word's offset in the file, scrambled by an odd multiplier so that neighbouring
/// words and operations differ in every byte. A stamp depends only on the file offset, so any unaligned write
/// carries its part of it; and it can be read back: a wrong word in a failing comparison is named as the data some
/// operation wrote for some offset (stale data, data at the wrong place), as zeros, or as none of these.
/// Operation 0 is the second file's initial content.
/// </summary>
internal static class DataStamp
{
    private const ulong Multiplier = 0x9E3779B97F4A7C15UL;
    private static readonly ulong Inverse = InverseOf(Multiplier);

    /// <summary>Fills <paramref name="destination"/> with what operation <paramref name="operation"/> writes at <paramref name="fileOffset"/>.</summary>
    public static void Fill(Span<byte> destination, long operation, long fileOffset)
    {
        var i = 0;
        while (i < destination.Length && (fileOffset + i) % 8 != 0)
        {
            destination[i] = ByteAt(operation, fileOffset + i);
            i++;
        }

        for (; i + 8 <= destination.Length; i += 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[i..], Stamp(operation, (fileOffset + i) / 8));
        }

        for (; i < destination.Length; i++)
        {
            destination[i] = ByteAt(operation, fileOffset + i);
        }
    }

    /// <summary>What the aligned word around <paramref name="fileOffset"/> in <paramref name="data"/> (which starts at <paramref name="dataOffset"/>) looks like.</summary>
    public static string Identify(ReadOnlySpan<byte> data, long dataOffset, long fileOffset)
    {
        var word = fileOffset - (fileOffset % 8);
        if (word < dataOffset)
        {
            word += 8;
        }

        if (word + 8 > dataOffset + data.Length)
        {
            return "too short to identify";
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(data[(int)(word - dataOffset)..]);
        if (value == 0)
        {
            return "zeros";
        }

        var decoded = value * Inverse;
        var operation = (long)(decoded >> 32);
        var wordOffset = (long)(uint)decoded * 8;
        return operation < 1L << 24
            ? $"written by op #{operation} for offset {wordOffset}{(wordOffset == word ? "" : $" (found at {word})")}"
            : "not data the exerciser wrote";
    }

    private static byte ByteAt(long operation, long fileOffset) => (byte)(Stamp(operation, fileOffset / 8) >> (int)(8 * (fileOffset % 8)));

    private static ulong Stamp(long operation, long word) => (((ulong)operation << 32) | (uint)word) * Multiplier;

    // Newton's iteration for the inverse of an odd number modulo 2^64: each step doubles the correct low bits.
    private static ulong InverseOf(ulong odd)
    {
        var inverse = odd;
        for (var i = 0; i < 6; i++)
        {
            inverse *= 2 - (odd * inverse);
        }

        return inverse;
    }
}
