using ThrottleFs.Hosting;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Hosting;

/// <summary>
/// What the Linux daemon adds to <see cref="DaemonLauncher"/>: it runs in its own session, so the terminal going away
/// does not take the mount with it, and once ready its native output (descriptors 1 and 2) goes to its log as well.
/// </summary>
internal static class Daemon
{
    /// <summary>The log this process writes to as a daemon, or null when it is not one.</summary>
    public static string? LogPath => DaemonLauncher.LogPath;

    /// <summary>Starts the daemon and waits until its mount is ready (exit code 0) or it has failed (its message).</summary>
    public static int Start(MountOptions options, TextWriter error) => DaemonLauncher.Start(options, RunFiles.Log(options.MountPoint), error);

    /// <summary>Leaves the terminal's session, so that closing the terminal does not take the mount down.</summary>
    public static void Detach() => SetSid();

    /// <summary>
    /// Tells the waiting command the mount is ready, then points this process's output at its log. Returns the
    /// writer for messages from now on.
    /// </summary>
    public static TextWriter ReportReady(string logPath)
    {
        var writer = DaemonLauncher.ReportReady(logPath);

        // Console keeps duplicates of the original descriptors: anything written to them natively goes to the log too.
        using var log = new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        var fd = (int)log.SafeFileHandle.DangerousGetHandle();
        Dup2(fd, 1);
        Dup2(fd, 2);
        return writer;
    }
}
