using System.Diagnostics;
using ThrottleFs.Control;

namespace ThrottleFs.Platform.Windows.Hosting;

/// <summary>Process names for the log's "pid 4242 (explorer)", from the process table.</summary>
internal sealed class WindowsProcessNames : IProcessNames
{
    public string? NameOf(uint pid)
    {
        try
        {
            using var process = Process.GetProcessById((int)pid);
            return process.ProcessName;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null; // gone already, or not ours to see
        }
    }
}
