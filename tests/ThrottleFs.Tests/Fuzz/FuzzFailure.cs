namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// A hostile-input case that broke an invariant: the message says how to replay it (the seed, the test, the case
/// number), the input that broke it (shrunk when the test could shrink it, and shortened for display), and what broke.
/// </summary>
internal sealed class FuzzFailure(string message, Exception? cause = null) : Exception(message, cause)
{
    public static FuzzFailure Of(string test, int index, byte[] input, Exception cause, byte[]? shrunk = null)
    {
        var replay = $"{FuzzSeed.Replay} (test {test}, case {index}): {cause.Message}";
        var original = $"input: {FuzzInput.Show(input)}";
        var minimal = shrunk is null || shrunk.Length == input.Length ? "" : $"\nshrunk to: {FuzzInput.Show(shrunk)}";
        return new FuzzFailure($"{replay}\n{original}{minimal}", cause);
    }
}
