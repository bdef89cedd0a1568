namespace ThrottleFs.Tests;

/// <summary>
/// Tests that swap <see cref="Console.Out"/>, which is one per process: they run alone, not beside any other test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console";
}
