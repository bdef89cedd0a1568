using ThrottleFs.Hosting;

namespace ThrottleFs.Tests;

/// <summary>A host for command-line tests of commands that must never mount or unmount anything.</summary>
internal sealed class ThrowingMountHost : IMountHost
{
    public int Mount(MountOptions options, TextWriter error, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"the command tried to mount {options.Source}");

    public int Unmount(string mountPoint, TextWriter error) =>
        throw new InvalidOperationException($"the command tried to unmount {mountPoint}");
}
