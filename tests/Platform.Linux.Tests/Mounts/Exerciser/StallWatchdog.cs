using System.Diagnostics;
using System.Globalization;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>
/// Keeps a stuck mount from hanging the suite. A call on a FUSE mount that never gets its answer (a request left
/// waiting in the throttle for good, a lost reply) blocks the exerciser where no timeout reaches it. When no
/// operation has finished for <see cref="Limit"/>, the watchdog kills the mount's daemon (the pid it records in
/// its run directory): the stuck call then fails with ENOTCONN, and the test fails saying why instead of hanging.
/// </summary>
internal sealed class StallWatchdog : IDisposable
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly string _pidFile;
    private readonly Timer _timer;
    private long _progress;
    private long _seen = -1;
    private long _since = Stopwatch.GetTimestamp();

    public StallWatchdog(MountedFileSystem mount)
    {
        // Where the daemon records its pid: /run/throttlefs for root, the runtime directory otherwise; named after the mount point.
        var directory = Environment.IsPrivilegedProcess
            ? "/run/throttlefs"
            : Path.Combine(Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") ?? Path.GetTempPath(), "throttlefs");
        _pidFile = Path.Combine(directory, mount.Point.Trim('/').Replace('/', '-') + ".pid");
        _timer = new Timer(_ => Check(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>What the watchdog did, once it has fired; null until then.</summary>
    public string? Fired { get; private set; }

    /// <summary>Called after every finished operation.</summary>
    public void Progress() => Interlocked.Increment(ref _progress);

    public void Dispose() => _timer.Dispose();

    private void Check()
    {
        var progress = Interlocked.Read(ref _progress);
        if (progress != _seen)
        {
            (_seen, _since) = (progress, Stopwatch.GetTimestamp());
            return;
        }

        if (Fired is not null || Stopwatch.GetElapsedTime(_since) < Limit)
        {
            return;
        }

        try
        {
            var pid = int.Parse(File.ReadAllText(_pidFile), NumberStyles.Integer, CultureInfo.InvariantCulture);
            using var daemon = Process.GetProcessById(pid);
            daemon.Kill();
            Fired = $"no operation finished for {Limit.TotalSeconds:F0} s: the watchdog killed the mount's daemon (pid {pid}) to end the stuck call";
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Fired = $"no operation finished for {Limit.TotalSeconds:F0} s, and the watchdog could not kill the daemon: {e.Message}";
        }
    }
}
