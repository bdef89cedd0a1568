namespace ThrottleFs.Platform.Linux.Tests.Mounts.Posix;

/// <summary>
/// Mounts once for all the comparison tests (<see cref="PosixMountCollection"/>): a mount costs about a second, a
/// directory pair nothing.
/// </summary>
public sealed class PosixMountFixture : IDisposable
{
    internal MountedFileSystem Mount { get; } = MountedFileSystem.Start();

    public void Dispose() => Mount.Dispose();
}
