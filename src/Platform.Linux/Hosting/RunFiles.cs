using System.Globalization;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Hosting;

/// <summary>
/// Where a mount's daemon keeps its log and pid file: <c>/run/throttlefs</c> for root, the user's runtime directory
/// otherwise, named after the mount point (<c>/mnt/vms</c> → <c>mnt-vms.log</c>).
/// </summary>
internal static class RunFiles
{
    public static string Log(string mountPoint) => Path(mountPoint, ".log");

    public static string Pid(string mountPoint) => Path(mountPoint, ".pid");

    /// <summary>Records that this process serves <paramref name="mountPoint"/>.</summary>
    public static void WritePid(string mountPoint) =>
        File.WriteAllText(Pid(mountPoint), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

    public static void DeletePid(string mountPoint) => File.Delete(Pid(mountPoint));

    /// <summary>
    /// The process serving <paramref name="mountPoint"/>, when it is still running: the pid file names it, and it is a
    /// throttlefs process (a pid left by a killed daemon may belong to another program by now).
    /// </summary>
    public static DaemonProcess? ReadPid(string mountPoint)
    {
        try
        {
            return int.TryParse(File.ReadAllText(Pid(mountPoint)), out var pid) &&
                   File.ReadAllText($"/proc/{pid}/cmdline").Contains("throttlefs", StringComparison.Ordinal)
                ? DaemonProcess.Open(pid)
                : null;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Path(string mountPoint, string extension)
    {
        var directory = GetEUid() == 0
            ? "/run/throttlefs"
            : System.IO.Path.Combine(Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") ?? System.IO.Path.GetTempPath(), "throttlefs");
        Directory.CreateDirectory(directory);
        var name = mountPoint.Trim('/').Replace('/', '-');
        return System.IO.Path.Combine(directory, (name.Length == 0 ? "root" : name) + extension);
    }
}
