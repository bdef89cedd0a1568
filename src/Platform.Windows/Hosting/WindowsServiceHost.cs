using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.WindowsServices;
using ThrottleFs.Cli;
using ThrottleFs.Platform.Windows.Dokan;

namespace ThrottleFs.Platform.Windows.Hosting;

/// <summary>
/// throttlefs as a Windows service (<see cref="ServiceCommand"/> installs it): the Service Control Manager starts
/// <c>throttlefs service run DIR mount … --foreground</c>; this serves that mount in the service's process and
/// unmounts when the service is stopped. Messages that would go to a terminal go to the mount's log instead.
/// </summary>
internal static class WindowsServiceHost
{
    public static bool IsService => WindowsServiceHelpers.IsWindowsService();

    /// <summary>The host every command mounts with: dokan2.dll, and requests identified by their token.</summary>
    public static DokanMountHost CreateMountHost(CancellationToken stop = default) =>
        new(new Dokan2Library(), () => OperatingSystem.IsWindows() ? new TokenRequestors() : throw new PlatformNotSupportedException(), stop);

    public static int Run(string[] args)
    {
        var mount = args is ["service", ServiceCommand.RunVerb, var directory, .. var rest] ? Enter(directory, rest) : args;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLogging();
        builder.Services.AddWindowsService();
        builder.Services.AddHostedService(services => new MountService(mount, services.GetRequiredService<IHostApplicationLifetime>()));
        using var host = builder.Build();
        host.Run();
        return Environment.ExitCode;
    }

    private static string[] Enter(string directory, string[] rest)
    {
        Directory.SetCurrentDirectory(directory); // relative paths mean what they meant where the service was installed
        return rest;
    }

    /// <summary>Runs the mount command until the service is stopped, then ends the service with the command's code.</summary>
    private sealed class MountService(string[] args, IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Factory.StartNew(
            () =>
            {
                using var log = ServiceLog();
                Environment.ExitCode = ThrottleFsCommandLine.Run(args, CreateMountHost(stoppingToken), log, log);
                lifetime.StopApplication();
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        // Before the mount's own log exists (a bad config, a busy drive letter), messages go to service.log.
        private static StreamWriter ServiceLog()
        {
            var path = Path.Combine(Path.GetDirectoryName(WindowsRunFiles.Log("service"))!, "service.log");
            return new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        }
    }
}
