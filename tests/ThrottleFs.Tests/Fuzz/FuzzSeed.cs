using System.Globalization;

namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// The seed of every hostile-input test: <c>THROTTLEFS_FUZZ_SEED</c> when it is set (to replay a failure), otherwise a
/// random one, the same for the whole test run. Each test draws from its own generator, seeded from this seed and the
/// test's name, so a test run alone with the seed replays exactly what it did in the full run.
/// </summary>
internal static class FuzzSeed
{
    public const string Variable = "THROTTLEFS_FUZZ_SEED";

    /// <summary>The seed of this run.</summary>
    public static int Value { get; } = Choose();

    /// <summary>How to replay this run: <c>THROTTLEFS_FUZZ_SEED=N</c>.</summary>
    public static string Replay => $"{Variable}={Value}";

    /// <summary>The generator of the test named <paramref name="test"/>.</summary>
    public static Random For(string test) => new(unchecked(Value ^ (int)StableHash(test)));

    private static int Choose()
    {
        var given = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(given))
        {
            return Random.Shared.Next();
        }

        // A typo must not silently run a random seed instead of the one being replayed.
        return int.TryParse(given, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : throw new InvalidOperationException($"{Variable}='{given}' is not a whole number");
    }

    // FNV-1a: string.GetHashCode differs from one process to the next.
    private static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return hash;
    }
}
