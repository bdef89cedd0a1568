using System.Diagnostics;
using System.Globalization;

namespace ThrottleFs.Platform.Windows.Hosting;

/// <summary>
/// Where a mount's background process keeps its log and pid file: <c>%LOCALAPPDATA%\ThrottleFs</c>, named after the
/// mount point (<c>T:\</c> → <c>T.log</c>, <c>C:\mnt\vms</c> → <c>C-mnt-vms.log</c>). A service running as
/// LocalSystem has its own LOCALAPPDATA, under the system profile.
/// </summary>
internal static class WindowsRunFiles
{
    public static string Log(string mountPoint) => PathFor(mountPoint, ".log");

    public static string Pid(string mountPoint) => PathFor(mountPoint, ".pid");

    public static void WritePid(string mountPoint) =>
        File.WriteAllText(Pid(mountPoint), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

    public static void DeletePid(string mountPoint) => File.Delete(Pid(mountPoint));

    /// <summary>
    /// The process serving <paramref name="mountPoint"/>, when it is still running and is a throttlefs (a pid left by
    /// a killed process may belong to another program by now).
    /// </summary>
    public static Process? ReadPid(string mountPoint)
    {
        try
        {
            if (!int.TryParse(File.ReadAllText(Pid(mountPoint)), out var pid))
            {
                return null;
            }

            var process = Process.GetProcessById(pid);
            return process.ProcessName.Contains("throttlefs", StringComparison.OrdinalIgnoreCase) ? process : null;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The file name a mount point's run files share.</summary>
    public static string NameOf(string mountPoint)
    {
        var name = string.Join('-', mountPoint.Split([':', '\\', '/'], StringSplitOptions.RemoveEmptyEntries));
        return name.Length == 0 ? "root" : name;
    }

    private static string PathFor(string mountPoint, string extension)
    {
        var directory = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "ThrottleFs");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, NameOf(mountPoint) + extension);
    }
}
