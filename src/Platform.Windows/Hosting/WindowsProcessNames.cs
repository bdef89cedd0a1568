using System.Diagnostics;
using ThrottleFs.Control;

namespace ThrottleFs.Platform.Windows.Hosting;

/// <summary>Process names for the log's "pid 4242 (explorer)" and for rules that name programs, from the process table.</summary>
internal sealed class WindowsProcessNames : IProcessNames
{
    // Windows names a process by its executable without ".exe" (fio, qemu-system-x86_64w): rules use the same name.
    public string? ExecutableOf(uint pid) => NameOf(pid);

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
