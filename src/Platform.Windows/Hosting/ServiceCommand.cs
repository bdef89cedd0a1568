using System.CommandLine;
using System.Diagnostics;
using ThrottleFs.Cli;
using ThrottleFs.Hosting;

namespace ThrottleFs.Platform.Windows.Hosting;

/// <summary>
/// <c>throttlefs service install NAME SOURCE MOUNTPOINT [mount options]</c> and <c>throttlefs service uninstall
/// NAME</c>: a mount that starts at boot, as a Windows service that runs <c>throttlefs mount … --foreground</c>
/// (<see cref="WindowsServiceHost"/>). The mount's arguments are checked as <c>mount</c> checks them before anything
/// is installed, and relative paths keep meaning what they meant where the command was typed.
/// </summary>
internal static class ServiceCommand
{
    /// <summary>The first arguments of a service's command line; <see cref="WindowsServiceHost"/> reads them back.</summary>
    public const string RunVerb = "run";

    public static Command Create(TextWriter error)
    {
        var command = new Command("service", "Mounts that start at boot, as Windows services (run as an administrator).");
        command.Subcommands.Add(Install(error));
        command.Subcommands.Add(Uninstall(error));
        command.Subcommands.Add(Run(error));
        return command;
    }

    /// <summary>The service's command line: this executable, the working directory, and the mount command in the foreground.</summary>
    public static string ServiceCommandLine(string executable, string workingDirectory, IReadOnlyList<string> mountArguments) =>
        WindowsCommandLine.Join([executable, "service", RunVerb, workingDirectory, "mount", .. mountArguments, "--foreground"]);

    private static Command Install(TextWriter error)
    {
        var name = new Argument<string>("NAME") { Description = "The service's name, e.g. ThrottleFs-T." };
        var command = new Command("install", "Install and start a service that mounts at boot: throttlefs service install NAME SOURCE MOUNTPOINT [mount options], " +
                                             "with the options of 'throttlefs mount' (--config, --limit, --mount-limit, --set, --algorithm, -o).")
        {
            name,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(result =>
        {
            var mountArguments = result.UnmatchedTokens.ToArray();
            var dryRun = new DryRunHost();
            if (mountArguments.Contains("--foreground") || mountArguments.Contains("-f"))
            {
                error.WriteLine("throttlefs: a service always runs in the foreground; leave out --foreground.");
                return ExitCodes.Usage;
            }

            // The mount's own parser and checks, without mounting: a mistake is reported now, not in the service's log.
            var checkedCode = ThrottleFsCommandLine.Run(["mount", .. mountArguments], dryRun, error, TextWriter.Null);
            if (checkedCode != ExitCodes.Success || dryRun.Options is not { } options)
            {
                return checkedCode == ExitCodes.Success ? ExitCodes.Usage : checkedCode;
            }

            if (!OperatingSystem.IsWindows())
            {
                error.WriteLine("throttlefs: Windows services exist only on Windows; on Linux, start the mount from systemd or fstab instead.");
                return ExitCodes.Failure;
            }

            var serviceName = result.GetValue(name)!;
            var binPath = ServiceCommandLine(Environment.ProcessPath!, Environment.CurrentDirectory, mountArguments);
            var created = Sc(error, "create", serviceName, "binPath=", binPath, "start=", "auto", "DisplayName=", $"ThrottleFs {options.MountPoint}");
            if (created != 0)
            {
                return ExitCodes.Failure;
            }

            Sc(error, "description", serviceName, $"Mounts {options.Source} at {options.MountPoint}, throttled (ThrottleFs).");
            Sc(error, "failure", serviceName, "reset=", "86400", "actions=", "restart/10000/restart/60000//");
            if (Sc(error, "start", serviceName) != 0)
            {
                error.WriteLine($"throttlefs: installed service {serviceName}, but it did not start; see its log, {WindowsRunFiles.Log(options.MountPoint)}.");
                return ExitCodes.Failure;
            }

            error.WriteLine($"throttlefs: service {serviceName} mounts {options.Source} at {options.MountPoint} now and at every boot; remove it with: throttlefs service uninstall {serviceName}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Uninstall(TextWriter error)
    {
        var name = new Argument<string>("NAME") { Description = "The service's name, as given to install." };
        var command = new Command("uninstall", "Stop the service (which unmounts) and remove it.") { name };
        command.SetAction(result =>
        {
            if (!OperatingSystem.IsWindows())
            {
                error.WriteLine("throttlefs: Windows services exist only on Windows.");
                return ExitCodes.Failure;
            }

            var serviceName = result.GetValue(name)!;
            Sc(TextWriter.Null, "stop", serviceName); // fails harmlessly when it is not running
            return Sc(error, "delete", serviceName) == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static Command Run(TextWriter error)
    {
        var rest = new Argument<string[]>("ARGS") { Arity = ArgumentArity.ZeroOrMore };
        var command = new Command(RunVerb, "What the service manager starts; run 'throttlefs mount' yourself instead.") { rest };
        command.Hidden = true;
        command.SetAction(_ =>
        {
            error.WriteLine("throttlefs: 'service run' is started by the Windows service manager; to mount by hand, use 'throttlefs mount'.");
            return ExitCodes.Usage;
        });
        return command;
    }

    private static int Sc(TextWriter error, params string[] arguments)
    {
        var start = new ProcessStartInfo("sc.exe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var sc = Process.Start(start)!;
        var output = sc.StandardOutput.ReadToEnd() + sc.StandardError.ReadToEnd();
        sc.WaitForExit();
        if (sc.ExitCode != 0)
        {
            // sc prints the Win32 error in words ("Access is denied", "The specified service already exists").
            error.WriteLine($"throttlefs: sc {arguments[0]} {arguments[1]} failed: {output.Trim()}{(sc.ExitCode == 5 ? " (run as an administrator)" : "")}");
        }

        return sc.ExitCode;
    }

    /// <summary>Takes the checked options of a mount command and mounts nothing.</summary>
    private sealed class DryRunHost : IMountHost
    {
        public MountOptions? Options { get; private set; }

        public int Mount(MountOptions options, TextWriter error, CancellationToken cancellationToken)
        {
            if (!MountPointName.TryNormalize(options.MountPoint, out var mountPoint, out var problem))
            {
                error.WriteLine($"throttlefs: {problem}");
                return ExitCodes.Failure;
            }

            Options = options with { MountPoint = mountPoint };
            return ExitCodes.Success;
        }

        public int Unmount(string mountPoint, TextWriter error) => ExitCodes.Usage;

        public string FullMountPoint(string typed) => MountPointName.Full(typed);
    }
}
