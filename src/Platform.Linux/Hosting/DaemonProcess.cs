using System.Diagnostics;
using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Hosting;

/// <summary>
/// A mount's daemon, seen from the command that unmounts it, held by a pidfd so that it can be waited for.
/// </summary>
/// <remarks>
/// The daemon is not our child: its parent exits once it is up, and whichever process adopts it reaps it when it gets
/// to it (this sandbox's init takes 1–1.5 s). Until then a wait that asks whether the pid exists, as
/// <see cref="Process.WaitForExit(TimeSpan)"/> does for a process not its own, still sees it; a pidfd is readable as
/// soon as the daemon has exited, reaped or not. Without pidfds (Linux before 5.3) the wait falls back to that.
/// </remarks>
internal sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly int _pidFd;

    private DaemonProcess(Process process, int pidFd)
    {
        _process = process;
        _pidFd = pidFd;
    }

    public int Id => _process.Id;

    /// <summary>The process <paramref name="pid"/>, or null if it is no longer running.</summary>
    public static DaemonProcess? Open(int pid)
    {
        try
        {
            return new DaemonProcess(Process.GetProcessById(pid), PidFdOpen(pid));
        }
        catch (ArgumentException)
        {
            return null; // gone
        }
    }

    /// <summary>Whether the process exits within <paramref name="timeout"/>.</summary>
    public unsafe bool WaitForExit(TimeSpan timeout)
    {
        if (_pidFd < 0)
        {
            return _process.WaitForExit(timeout);
        }

        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var poll = new PollFd { Fd = _pidFd, Events = POLLIN };
        int ready;
        while ((ready = Poll(&poll, 1, (int)Math.Max(0, deadline - Environment.TickCount64))) < 0 && LastError == Errno.EINTR)
        {
        }

        return ready > 0;
    }

    public void Dispose()
    {
        if (_pidFd >= 0)
        {
            Close(_pidFd);
        }

        _process.Dispose();
    }
}
