using System.CommandLine;
using ThrottleFs.Hosting;

namespace ThrottleFs.Cli;

/// <summary><c>throttlefs unmount MOUNTPOINT</c>.</summary>
internal static class UnmountCommand
{
    public static Command Create(IMountHost host, TextWriter error)
    {
        var mountPoint = new Argument<string>("MOUNTPOINT") { Description = "Where a ThrottleFs mount (or one left by a killed daemon) is attached: a directory, or on Windows a drive letter (T:)." };
        var command = new Command("unmount", "Unmount MOUNTPOINT. The daemon serving it finishes the requests in flight and exits. Also clears a mount left by a killed daemon (on Linux: \"Transport endpoint is not connected\").")
        {
            mountPoint,
        };
        command.Aliases.Add("umount");
        command.SetAction(result => host.Unmount(host.FullMountPoint(result.GetValue(mountPoint)!), error));
        return command;
    }
}
