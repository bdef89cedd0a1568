namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// Makes a failing input smaller while it still fails, so a failure shows a minimal reproduction: first whole lines
/// are dropped (halves, then quarters, down to single lines), then bytes, in the same way (unless lines must stay whole). Bounded by a number of
/// tries, so a slow check cannot stall the test run.
/// </summary>
internal static class InputShrinker
{
    public static byte[] Shrink(byte[] input, Func<byte[], bool> fails, bool bytes = true, int tries = 400)
    {
        var lines = SplitLines(input);
        lines = Reduce(lines, candidate => fails([.. candidate.SelectMany(line => line)]), ref tries);
        if (!bytes)
        {
            return [.. lines.SelectMany(line => line)];
        }

        var single = lines.SelectMany(line => line).Select(b => new[] { b }).ToList();
        return [.. Reduce(single, candidate => fails([.. candidate.SelectMany(b => b)]), ref tries).SelectMany(b => b)];
    }

    // Delta debugging's simplest form: remove chunks of decreasing size while the input still fails; single parts
    // again and again while that helps.
    private static List<byte[]> Reduce(List<byte[]> parts, Func<List<byte[]>, bool> fails, ref int tries)
    {
        var progress = false;
        for (var chunk = Math.Max(1, parts.Count / 2); chunk >= 1 && tries > 0; chunk = chunk > 1 ? chunk / 2 : progress ? 1 : 0)
        {
            progress = false;
            for (var start = 0; start < parts.Count && tries > 0;)
            {
                var candidate = parts.Take(start).Concat(parts.Skip(start + chunk)).ToList();
                tries--;
                if (candidate.Count < parts.Count && fails(candidate))
                {
                    parts = candidate;
                    progress = true;
                }
                else
                {
                    start += chunk;
                }
            }
        }

        return parts;
    }

    private static List<byte[]> SplitLines(byte[] input)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] == (byte)'\n')
            {
                lines.Add(input[start..(i + 1)]);
                start = i + 1;
            }
        }

        if (start < input.Length)
        {
            lines.Add(input[start..]);
        }

        return lines;
    }
}
