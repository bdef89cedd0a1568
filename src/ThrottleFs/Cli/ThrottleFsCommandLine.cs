using System.CommandLine;
using ThrottleFs.Hosting;

namespace ThrottleFs.Cli;

/// <summary>The <c>throttlefs</c> command line, shared by every platform host.</summary>
public static class ThrottleFsCommandLine
{
    /// <summary>Parses and runs a command line; returns the exit code.</summary>
    public static int Run(string[] args, IMountHost host, TextWriter? error = null)
    {
        error ??= Console.Error;
        var root = new RootCommand(
            "ThrottleFs mirrors a directory or a disk image at a mount point and sends every read and write through " +
            "QEMU-compatible QoS buckets (bps/iops, bursts, groups) before it reaches the backing storage.");
        root.Subcommands.Add(MountCommand.Create(host, error));
        root.Subcommands.Add(UnmountCommand.Create(host, error));
        root.Subcommands.Add(StatsCommand.Create(error));
        var result = root.Parse(args);
        var exitCode = result.Invoke(new InvocationConfiguration { Error = error });
        return result.Errors.Count > 0 ? ExitCodes.Usage : exitCode;
    }
}
