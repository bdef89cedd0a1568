using ThrottleFs.Cli;
using ThrottleFs.Hosting;

namespace ThrottleFs.Platform.Windows;

/// <summary>Mounts through Dokan v2 (dokan2.dll).</summary>
internal sealed class DokanMountHost : IMountHost
{
    public int Mount(MountOptions options, TextWriter error, CancellationToken cancellationToken) => NotYet(error);

    public int Unmount(string mountPoint, TextWriter error) => NotYet(error);

    private static int NotYet(TextWriter error)
    {
        error.WriteLine("throttlefs: Windows mounts need the Dokan adapter, which is not built yet; use Linux for now.");
        return ExitCodes.Failure;
    }
}
