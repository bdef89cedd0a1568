using System.CommandLine;
using ThrottleFs.Hosting;

namespace ThrottleFs.Cli;

/// <summary>The <c>throttlefs</c> command line, shared by every platform host.</summary>
public static class ThrottleFsCommandLine
{
    /// <summary>
    /// Parses and runs a command line; returns the exit code. Help and a command's result go to
    /// <paramref name="output"/>, messages for the user to <paramref name="error"/> (standard output and error by default).
    /// <paramref name="platformCommands"/> are the host's own (Windows: <c>service</c>).
    /// </summary>
    public static int Run(string[] args, IMountHost host, TextWriter? error = null, TextWriter? output = null, IReadOnlyList<Command>? platformCommands = null)
    {
        error ??= Console.Error;
        output ??= Console.Out;
        var root = new RootCommand(
            "ThrottleFs mirrors a directory or a disk image at a mount point and sends every read and write through " +
            "QEMU-compatible QoS buckets (bps/iops, bursts, groups) before it reaches the backing storage.");
        root.Subcommands.Add(MountCommand.Create(host, error));
        root.Subcommands.Add(UnmountCommand.Create(host, error));
        root.Subcommands.Add(SetCommand.Create(output, error));
        root.Subcommands.Add(StatsCommand.Create(error));
        root.Subcommands.Add(ValidateCommand.Create(output, error));
        root.Subcommands.Add(ImportLibvirtCommand.Create(output, error));
        root.Subcommands.Add(TraceCommand.Create(output, error));
        root.Subcommands.Add(SimulateCommand.Create(output, error));
        foreach (var command in platformCommands ?? [])
        {
            root.Subcommands.Add(command);
        }

        var result = root.Parse(args);
        var exitCode = result.Invoke(new InvocationConfiguration { Output = output, Error = error });
        return result.Errors.Count > 0 ? ExitCodes.Usage : exitCode;
    }
}
