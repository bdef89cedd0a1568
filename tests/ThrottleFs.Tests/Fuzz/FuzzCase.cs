namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// Runs one generated case and, when it breaks an invariant, reports it as a <see cref="FuzzFailure"/>: with the seed,
/// the input, and the smallest input the <see cref="InputShrinker"/> found that still fails the same way: the same
/// exception type and the same message, apart from what is quoted and the numbers (so shrinking does not wander off to
/// another failure). <paramref name="bytes"/> false shrinks by whole lines only, for inputs whose lines must stay whole.
/// </summary>
internal static partial class FuzzCase
{
    public static async Task Run(string test, int index, byte[] input, Func<byte[], Task> check, bool bytes = true)
    {
        try
        {
            await check(input);
        }
        catch (Exception e) when (e is not FuzzFailure)
        {
            throw Report(test, index, input, e, check, bytes);
        }
    }

    /// <summary>The failure of <paramref name="input"/>, shrunk with <paramref name="check"/> (which fails as <paramref name="failure"/> did).</summary>
    public static FuzzFailure Report(string test, int index, byte[] input, Exception failure, Func<byte[], Task> check, bool bytes = true)
    {
        var shrunk = InputShrinker.Shrink(input, candidate =>
        {
            try
            {
                check(candidate).GetAwaiter().GetResult();
                return false;
            }
            catch (Exception again)
            {
                return again.GetType() == failure.GetType() && Signature(again) == Signature(failure);
            }
        }, bytes);
        return FuzzFailure.Of(test, index, input, failure, shrunk);
    }

    // The first line of the message and its reasons (lines indented by two blanks), without quoted parts and numbers.
    private static string Signature(Exception e) =>
        string.Join('\n', e.Message.Split('\n').Where((line, i) => i == 0 || line.StartsWith("  ", StringComparison.Ordinal)).Select(line => Variable().Replace(line, "")));

    [System.Text.RegularExpressions.GeneratedRegex(@"'[^']*'|\d+")]
    private static partial System.Text.RegularExpressions.Regex Variable();

    public static void Run(string test, int index, byte[] input, Action<byte[]> check) =>
        Run(test, index, input, candidate =>
        {
            check(candidate);
            return Task.CompletedTask;
        }).GetAwaiter().GetResult();
}
