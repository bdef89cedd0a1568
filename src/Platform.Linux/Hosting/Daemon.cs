using System.Diagnostics;
using ThrottleFs.Cli;
using ThrottleFs.Hosting;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Hosting;

/// <summary>
/// <c>throttlefs mount</c> without <c>--foreground</c>: the command starts itself again in the foreground as a daemon,
/// with <see cref="LogVariable"/> naming its log, waits until the daemon says the kernel has finished INIT, and
/// returns: when it says "mounted", the mount works. The daemon runs in its own session, so the terminal going away
/// does not take the mount with it, and once ready it writes everything to its log.
/// </summary>
internal static class Daemon
{
    /// <summary>Set in the daemon's environment only: where its output goes once the mount is ready.</summary>
    public const string LogVariable = "THROTTLEFS_DAEMON_LOG";

    private const string ReadyLine = "THROTTLEFS-READY";

    /// <summary>The log this process writes to as a daemon, or null when it is not one.</summary>
    public static string? LogPath { get; } = Environment.GetEnvironmentVariable(LogVariable);

    /// <summary>Starts the daemon and waits until its mount is ready (exit code 0) or it has failed (its message).</summary>
    public static int Start(MountOptions options, TextWriter error)
    {
        var log = RunFiles.Log(options.MountPoint);
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { [LogVariable] = log },
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
                error.WriteLine($"throttlefs: mounted {options.Source} at {options.MountPoint} (daemon pid {child.Id}, log {log}).");
                error.WriteLine($"throttlefs: unmount with: throttlefs unmount {options.MountPoint}");
                return ExitCodes.Success;
            }
        }

        child.WaitForExit();
        var message = errors.Result.Trim();
        error.WriteLine(message.Length > 0 ? message : $"throttlefs: the daemon exited with code {child.ExitCode} before the mount was ready.");
        return child.ExitCode == 0 ? ExitCodes.Failure : child.ExitCode;
    }

    /// <summary>Leaves the terminal's session, so that closing the terminal does not take the mount down.</summary>
    public static void Detach() => SetSid();

    /// <summary>
    /// Tells the waiting command the mount is ready, then points this process's output at its log: the command
    /// stops listening once told. Returns the writer for messages from now on.
    /// </summary>
    public static TextWriter ReportReady(string logPath)
    {
        Console.Out.WriteLine(ReadyLine);
        Console.Out.Flush();

        // Console keeps duplicates of the original descriptors, so it is pointed at the log as well.
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var fd = (int)((FileStream)log.BaseStream).SafeFileHandle.DangerousGetHandle();
        Dup2(fd, 1);
        Dup2(fd, 2);
        var writer = TextWriter.Synchronized(log);
        Console.SetOut(writer);
        Console.SetError(writer);
        return writer;
    }
}
