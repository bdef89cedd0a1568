namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>The last few operations with what they returned, for a failure message; and how many of each kind ran.</summary>
internal sealed class OperationLog(int capacity)
{
    private readonly Queue<string> _recent = new(capacity);
    private readonly long[] _counts = new long[Enum.GetValues<OperationKind>().Length];
    private readonly long[] _refusals = new long[Enum.GetValues<OperationKind>().Length];
    private readonly long[] _ticks = new long[Enum.GetValues<OperationKind>().Length];

    private long _sizes;

    public long BytesRead { get; private set; }

    public long BytesWritten { get; private set; }

    /// <param name="ticks">How long the calls took, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</param>
    /// <param name="size">The file's size after the operation.</param>
    public void Add(in Operation op, Outcome outcome, long ticks, long size)
    {
        _ticks[(int)op.Kind] += ticks;
        _sizes += size;
        if (_recent.Count == capacity)
        {
            _recent.Dequeue();
        }

        _recent.Enqueue($"{op} → {outcome}");
        _counts[(int)op.Kind]++;
        if (!outcome.Succeeded)
        {
            _refusals[(int)op.Kind]++;
        }
        else if (op.ReadsData)
        {
            BytesRead += outcome.Result;
        }
        else if (op.WritesData || op.Kind is OperationKind.CopyWithin or OperationKind.CopyFromOther or OperationKind.CopyToOther)
        {
            BytesWritten += op.WritesData ? op.Length : outcome.Result;
        }
    }

    public IEnumerable<string> Recent => _recent;

    public long Operations => _counts.Sum();

    /// <summary>The file's mean size over the run, after each operation.</summary>
    public long MeanSize => Operations == 0 ? 0 : _sizes / Operations;

    /// <summary>How many whole-file checks ran, and the time they took.</summary>
    public int Verifications { get; private set; }

    public TimeSpan VerificationTime { get; private set; }

    public void AddVerification(TimeSpan took)
    {
        Verifications++;
        VerificationTime += took;
    }

    public long Count(OperationKind kind) => _counts[(int)kind];

    /// <summary>Per kind: how many ran, how many of them were refused as the model expected (EINVAL), and the time their calls took.</summary>
    public string Summary() => string.Join(
        ", ",
        Enum.GetValues<OperationKind>()
            .Where(kind => _counts[(int)kind] > 0)
            .Select(kind =>
            {
                var refused = _refusals[(int)kind] > 0 ? $", {_refusals[(int)kind]} refused" : "";
                return $"{kind} {_counts[(int)kind]} ({System.Diagnostics.Stopwatch.GetElapsedTime(0, _ticks[(int)kind]).TotalSeconds:F1} s{refused})";
            }));
}
