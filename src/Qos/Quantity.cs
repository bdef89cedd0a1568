using System.Globalization;

namespace ThrottleFs.Qos;

/// <summary>Whole numbers in SPECs and configs, with binary suffixes: <c>4096</c>, <c>4K</c>, <c>10M</c>, <c>1GiB</c>.</summary>
public static class Quantity
{
    /// <summary>
    /// Parses a whole number with an optional binary suffix: <c>4096</c>, <c>4K</c>, <c>10M</c>, <c>1GiB</c>
    /// (K, M, G, T, P are powers of 1024). Negative numbers parse, so that validation can name the key they break.
    /// </summary>
    public static bool TryParse(string text, out long value)
    {
        value = 0;
        var span = text.AsSpan().Trim();
        var end = span.Length;
        if (end > 0 && (span[end - 1] is 'B' or 'b'))
        {
            end--;
        }

        if (end > 0 && (span[end - 1] is 'i' or 'I'))
        {
            end--;
        }

        var shift = end > 0 ? char.ToUpperInvariant(span[end - 1]) switch
        {
            'K' => 10,
            'M' => 20,
            'G' => 30,
            'T' => 40,
            'P' => 50,
            _ => 0,
        } : 0;
        if (shift != 0)
        {
            end--;
        }
        else if (end != span.Length && end != span.Length - 1)
        {
            return false; // "iB" without a multiplier
        }

        if (!long.TryParse(span[..end], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        if (shift == 0)
        {
            value = number;
            return true;
        }

        if (number > long.MaxValue >> shift || number < -(long.MaxValue >> shift)) // no Math.Abs: it throws for long.MinValue
        {
            return false;
        }

        value = number << shift;
        return true;
    }

    /// <summary>A value as a SPEC writes it: bytes with the largest suffix that divides them exactly (10M), counts as they are.</summary>
    public static string Format(long value, bool bytes)
    {
        if (bytes && value > 0)
        {
            foreach (var (suffix, shift) in new[] { ("T", 40), ("G", 30), ("M", 20), ("K", 10) })
            {
                if (value % (1L << shift) == 0)
                {
                    return (value >> shift).ToString(CultureInfo.InvariantCulture) + suffix;
                }
            }
        }

        return value.ToString(CultureInfo.InvariantCulture);
    }
}
