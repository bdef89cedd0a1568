using ThrottleFs.Cli;
using ThrottleFs.Platform.Windows.Dokan;
using ThrottleFs.Platform.Windows.Hosting;

// Started by the Service Control Manager (throttlefs service install): serve the mount as the service.
if (WindowsServiceHost.IsService)
{
    return WindowsServiceHost.Run(args);
}

return ThrottleFsCommandLine.Run(args, WindowsServiceHost.CreateMountHost(), platformCommands: [ServiceCommand.Create(Console.Error)]);
