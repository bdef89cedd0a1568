using System.Diagnostics;
using ThrottleFs.Cli;

namespace ThrottleFs.Hosting;

/// <summary>
/// <c>throttlefs mount</c> without <c>--foreground</c>, the same on every platform: the command starts itself again in
/// the foreground as a daemon, with <see cref="LogVariable"/> naming its log, waits until the daemon says the mount is
/// ready, and returns: when it says "mounted", the mount works. What a daemon does to leave its terminal and to point
/// its own output at the log is the host's business.
/// </summary>
public static class DaemonLauncher
{
    /// <summary>Set in the daemon's environment only: where its output goes once the mount is ready.</summary>
    public const string LogVariable = "THROTTLEFS_DAEMON_LOG";

    private const string ReadyLine = "THROTTLEFS-READY";

    /// <summary>The log this process writes to as a daemon, or null when it is not one.</summary>
    public static string? LogPath { get; } = Environment.GetEnvironmentVariable(LogVariable);

    /// <summary>
    /// Starts the daemon for <paramref name="options"/> with its log at <paramref name="logPath"/> and waits until its
    /// mount is ready (exit code 0) or it has failed (its message, and its exit code).
    /// </summary>
    public static int Start(MountOptions options, string logPath, TextWriter error)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true, // Windows: no console of its own to close, and no Ctrl-C from ours
            Environment = { [LogVariable] = logPath },
        };
        var isDotnetHost = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet";
        foreach (var argument in Environment.GetCommandLineArgs().Skip(isDotnetHost ? 0 : 1))
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--foreground");

        using var child = Process.Start(start)!;
        var errors = child.StandardError.ReadToEndAsync();
        string? line;
        while ((line = child.StandardOutput.ReadLine()) is not null)
        {
            if (line == ReadyLine)
            {
                error.WriteLine($"throttlefs: mounted {options.Source} at {options.MountPoint} (daemon pid {child.Id}, log {logPath}).");
                error.WriteLine($"throttlefs: unmount with: throttlefs unmount {options.MountPoint}");
                return ExitCodes.Success;
            }
        }

        child.WaitForExit();
        var message = errors.Result.Trim();
        error.WriteLine(message.Length > 0 ? message : $"throttlefs: the daemon exited with code {child.ExitCode} before the mount was ready.");
        return child.ExitCode == 0 ? ExitCodes.Failure : child.ExitCode;
    }

    /// <summary>
    /// Tells the waiting command the mount is ready, then points this process's managed output at its log: the
    /// command stops listening once told. Returns the writer for messages from now on.
    /// </summary>
    public static TextWriter ReportReady(string logPath)
    {
        Console.Out.WriteLine(ReadyLine);
        Console.Out.Flush();
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var writer = TextWriter.Synchronized(log);
        Console.SetOut(writer);
        Console.SetError(writer);
        return writer;
    }
}
