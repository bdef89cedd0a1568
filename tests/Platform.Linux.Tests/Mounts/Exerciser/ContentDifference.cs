namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>
/// Where two versions of a range of a file differ: the first differing file offset, 16 bytes of each side from
/// there and what those bytes are (<see cref="DataStamp.Identify"/>), how many bytes differ and where the last one
/// is.
/// </summary>
internal static class ContentDifference
{
    private const int Shown = 16;

    /// <summary>Null when the two are equal; otherwise the description. Both start at <paramref name="fileOffset"/>.</summary>
    public static string? Describe(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, long fileOffset)
    {
        var common = Math.Min(expected.Length, actual.Length);
        var first = expected[..common].CommonPrefixLength(actual[..common]);
        if (first == common && expected.Length == actual.Length)
        {
            return null;
        }

        var lengths = expected.Length == actual.Length ? "" : $"; {actual.Length} bytes where {expected.Length} were expected";
        if (first == common)
        {
            return $"the first {common} bytes agree{lengths}";
        }

        var differing = 0;
        var last = first;
        for (var i = first; i < common; i++)
        {
            if (expected[i] != actual[i])
            {
                differing++;
                last = i;
            }
        }

        var at = fileOffset + first;
        return $"first difference at file offset {at} (byte {first} of the range): "
            + $"expected {Hex(expected, first)} ({DataStamp.Identify(expected, fileOffset, at)}), "
            + $"actual {Hex(actual, first)} ({DataStamp.Identify(actual, fileOffset, at)}); "
            + $"{differing} of {common} bytes differ, the last at file offset {fileOffset + last}{lengths}";
    }

    private static string Hex(ReadOnlySpan<byte> bytes, int from) =>
        Convert.ToHexStringLower(bytes.Slice(from, Math.Min(Shown, bytes.Length - from)));
}
