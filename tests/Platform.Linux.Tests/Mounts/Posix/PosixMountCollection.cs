namespace ThrottleFs.Platform.Linux.Tests.Mounts.Posix;

/// <summary>
/// The comparison tests of every area (<see cref="PosixComparisonTest"/>) share one <see cref="PosixMountFixture"/>:
/// xunit makes it before the first of them and disposes of it after the last, so splitting the tests by area adds
/// no mounts.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PosixMountCollection : ICollectionFixture<PosixMountFixture>
{
    public const string Name = "POSIX comparison mount";
}
