using ThrottleFs.Cli;
using ThrottleFs.Hosting;

namespace ThrottleFs.Platform.Linux;

/// <summary>Mounts through the kernel's FUSE device.</summary>
internal sealed class FuseMountHost : IMountHost
{
    public int Mount(MountOptions options, CancellationToken cancellationToken)
    {
        // The FUSE transport is the next piece of work; until it lands, say so rather than pretend.
        Console.Error.WriteLine(
            $"throttlefs: the limits are valid (each file: {options.FileLimits}; the whole mount: {options.MountLimits}), " +
            "but mounting is not available yet: the FUSE transport is still being built.");
        return ExitCodes.Failure;
    }
}
