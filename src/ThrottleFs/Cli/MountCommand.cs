using System.CommandLine;
using ThrottleFs.Hosting;
using ThrottleFs.Qos;

namespace ThrottleFs.Cli;

/// <summary><c>throttlefs mount SOURCE MOUNTPOINT</c>.</summary>
internal static class MountCommand
{
    public static Command Create(IMountHost host, TextWriter error)
    {
        var source = new Argument<string>("SOURCE") { Description = "The directory to mirror, or a single file such as a disk image." };
        var mountPoint = new Argument<string>("MOUNTPOINT") { Description = "An existing empty directory (or, for a file SOURCE, a file) to mount on." };
        var limit = new Option<string?>("--limit")
        {
            Description = "Limits every file gets for its own, QEMU names: iops-total=100,iops-total-max=2000,bps-read=10M,iops-size=4K " +
                          "(K/M/G/T are powers of 1024).",
            HelpName = "SPEC",
        };
        var mountLimit = new Option<string?>("--mount-limit")
        {
            Description = "Limits all files share, same SPEC syntax as --limit.",
            HelpName = "SPEC",
        };
        var algorithm = new Option<string?>("--algorithm")
        {
            Description = "Bucket algorithm for both limits: leaky (QEMU, default) or token (librbd).",
            HelpName = "leaky|token",
        };
        var fuseOptions = new Option<string[]>("-o")
        {
            Description = "Mount options passed to the kernel, comma-separated (e.g. -o allow_other).",
            HelpName = "OPTIONS",
            AllowMultipleArgumentsPerToken = false,
        };
        var foreground = new Option<bool>("--foreground", "-f") { Description = "Stay in the foreground; Ctrl-C unmounts." };
        var trace = new Option<bool>("--trace")
        {
            Description = "Log every request and reply (slow; for debugging): to standard error with --foreground, otherwise to the daemon's log.",
        };
        var pageCache = new Option<bool>("--page-cache")
        {
            Description = "Let the kernel cache file data. Faster for re-read data, but reads served from the cache never reach " +
                          "the throttle, so the limits then apply only to cache misses. Off by default: every read and write is throttled.",
        };
        var daemonLog = new Option<string?>("--daemon-log") { Hidden = true };

        var command = new Command("mount", "Mount SOURCE at MOUNTPOINT with every read and write throttled. Returns once the mount is ready; a daemon keeps serving it until 'throttlefs unmount'.")
        {
            source, mountPoint, limit, mountLimit, algorithm, fuseOptions, foreground, trace, pageCache, daemonLog,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var algorithmName = result.GetValue(algorithm);
            if (!TryParseLimits("--limit", result.GetValue(limit), algorithmName, error, out var fileLimits) ||
                !TryParseLimits("--mount-limit", result.GetValue(mountLimit), algorithmName, error, out var mountLimits))
            {
                return Task.FromResult(ExitCodes.Usage);
            }

            var options = new MountOptions(
                Path.GetFullPath(result.GetValue(source)!),
                Path.GetFullPath(result.GetValue(mountPoint)!),
                fileLimits,
                mountLimits,
                (result.GetValue(fuseOptions) ?? []).SelectMany(o => o.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToArray(),
                result.GetValue(foreground),
                result.GetValue(trace),
                result.GetValue(pageCache),
                result.GetValue(daemonLog));
            if (!File.Exists(options.Source) && !Directory.Exists(options.Source))
            {
                error.WriteLine($"throttlefs: source '{options.Source}' does not exist.");
                return Task.FromResult(ExitCodes.Failure);
            }

            return Task.FromResult(host.Mount(options, error, cancellationToken));
        });
        return command;
    }

    private static bool TryParseLimits(string option, string? spec, string? algorithm, TextWriter error, out ThrottleConfig config)
    {
        try
        {
            // --algorithm sets the default; an algorithm= inside the SPEC is applied after it and wins.
            config = ThrottleConfig.Unlimited;
            if (algorithm is not null)
            {
                config = config.Apply($"algorithm={algorithm}");
            }

            config = config.Apply(spec ?? "");
            return true;
        }
        catch (ThrottleConfigException e)
        {
            foreach (var problem in e.Errors)
            {
                error.WriteLine($"throttlefs: {option}: {problem}");
            }

            config = ThrottleConfig.Unlimited;
            return false;
        }
    }
}
