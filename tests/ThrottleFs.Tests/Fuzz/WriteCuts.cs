namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// How a batch is cut into write(2) calls: whole, a byte at a time, in two at one offset, in chunks of one size (cat
/// writes 128 KiB, the kernel splits at its own sizes), or at random offsets. A plan is a rule for any length, so a
/// failing case can be shrunk and cut the same way again.
/// </summary>
internal sealed record WriteCuts(string Name, Func<int, IReadOnlyList<int>> Plan)
{
    public static readonly WriteCuts Whole = new("one write", length => length == 0 ? [] : [length]);

    public static readonly WriteCuts ByteAtATime = new("a byte at a time", length => Enumerable.Repeat(1, length).ToList());

    public static WriteCuts SplitAt(int offset) =>
        new($"two writes, cut at {offset}", length => new[] { Math.Min(offset, length), length - Math.Min(offset, length) }.Where(size => size > 0).ToList());

    public static WriteCuts Chunks(int size) =>
        new($"chunks of {size}", length => Enumerable.Range(0, (length + size - 1) / size).Select(i => Math.Min(size, length - (i * size))).ToList());

    /// <summary>Writes of random sizes from 1 to <paramref name="largest"/>, from a seed of their own.</summary>
    public static WriteCuts Random(int seed, int largest) => new($"random writes of 1 to {largest} bytes (cut seed {seed})", length =>
    {
        var random = new Random(seed);
        var sizes = new List<int>();
        for (var left = length; left > 0;)
        {
            var size = Math.Min(left, random.Next(1, largest + 1));
            sizes.Add(size);
            left -= size;
        }

        return sizes;
    });

    /// <summary>The cuts a batch is written with: every offset for a short batch, offsets next to every line end and a sample for a long one.</summary>
    public static IEnumerable<WriteCuts> For(byte[] batch, Random random, int everyOffsetUpTo = 400)
    {
        yield return Whole;
        yield return Chunks(128 * 1024);
        if (batch.Length <= 8192)
        {
            yield return ByteAtATime;
        }

        IEnumerable<int> offsets = batch.Length <= everyOffsetUpTo
            ? Enumerable.Range(1, Math.Max(0, batch.Length - 1))
            : batch.Select((b, i) => (b, i)).Where(x => x.b == (byte)'\n').SelectMany(x => new[] { x.i, x.i + 1 })
                .Concat(Enumerable.Range(0, 16).Select(_ => random.Next(1, batch.Length))).Where(i => i > 0 && i < batch.Length).Distinct().Take(200);
        foreach (var offset in offsets)
        {
            yield return SplitAt(offset);
        }

        foreach (var largest in new[] { 3, 64, 4096 })
        {
            yield return Random(random.Next(), largest);
        }
    }

    public override string ToString() => Name;
}
