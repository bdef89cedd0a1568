using System.CommandLine;
using ThrottleFs.Hosting;

namespace ThrottleFs.Cli;

/// <summary><c>throttlefs unmount MOUNTPOINT</c>.</summary>
internal static class UnmountCommand
{
    public static Command Create(IMountHost host, TextWriter error)
    {
        var mountPoint = new Argument<string>("MOUNTPOINT") { Description = "Where a ThrottleFs mount (or a stale one left by a killed daemon) is attached." };
        var command = new Command("unmount", "Unmount MOUNTPOINT. The daemon finishes the requests in flight and exits. Also clears a stale mount (\"Transport endpoint is not connected\").")
        {
            mountPoint,
        };
        command.Aliases.Add("umount");
        command.SetAction(result => host.Unmount(host.FullMountPoint(result.GetValue(mountPoint)!), error));
        return command;
    }
}
