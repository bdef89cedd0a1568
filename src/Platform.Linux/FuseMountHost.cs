using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ThrottleFs.Cli;
using ThrottleFs.Configuration;
using ThrottleFs.Control;
using ThrottleFs.FileSystem;
using ThrottleFs.Logging;
using ThrottleFs.Hosting;
using ThrottleFs.Passthrough;
using ThrottleFs.Platform.Linux.Fuse;
using ThrottleFs.Throttling;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux;

/// <summary>
/// Mounts through the kernel's FUSE device. Without --foreground the command starts itself again as a daemon (in
/// its own session, so the terminal going away does not take the mount with it), waits until the kernel has
/// finished INIT, and returns: when it says "mounted", the mount works.
/// </summary>
internal sealed class FuseMountHost : IMountHost
{
    private const string ReadyLine = "THROTTLEFS-READY";

    public int Mount(MountOptions options, TextWriter error, CancellationToken cancellationToken)
    {
        if (!TryChooseLayout(options, error, out var layout))
        {
            return ExitCodes.Failure;
        }

        return options.Foreground ? Serve(options, layout, error) : StartDaemon(options, error);
    }

    public int Unmount(string mountPoint, TextWriter error)
    {
        if (!FuseMount.IsMountPoint(mountPoint))
        {
            error.WriteLine($"throttlefs: '{mountPoint}' is not mounted.");
            return ExitCodes.Failure;
        }

        var daemon = ReadPid(RunFile(mountPoint, ".pid"));
        var result = FuseMount.Unmount(mountPoint);
        if (result != FileSystem.Errno.Success)
        {
            error.WriteLine($"throttlefs: cannot unmount '{mountPoint}': {result}{(result == FileSystem.Errno.EPERM ? " (run as root or install fuse3)" : "")}.");
            return ExitCodes.Failure;
        }

        // Let the daemon finish: when this returns, nothing of the mount is left running.
        if (daemon is { } process)
        {
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        error.WriteLine($"throttlefs: unmounted {mountPoint}");
        return ExitCodes.Success;
    }

    private static bool TryChooseLayout(MountOptions options, TextWriter error, out SourceLayout layout)
    {
        layout = SourceLayout.Directory;
        var sourceIsDirectory = Directory.Exists(options.Source);
        if (!Directory.Exists(options.MountPoint) && !File.Exists(options.MountPoint))
        {
            error.WriteLine($"throttlefs: mount point '{options.MountPoint}' does not exist; create it first (mkdir -p {options.MountPoint}).");
            return false;
        }

        var mountPointIsDirectory = Directory.Exists(options.MountPoint);
        if (sourceIsDirectory && !mountPointIsDirectory)
        {
            error.WriteLine($"throttlefs: '{options.Source}' is a directory, so the mount point must be a directory too.");
            return false;
        }

        if (FuseMount.IsMountPoint(options.MountPoint))
        {
            error.WriteLine($"throttlefs: '{options.MountPoint}' is already a mount point; unmount it first (throttlefs unmount {options.MountPoint}).");
            return false;
        }

        if (!File.Exists(FuseMount.DevicePath))
        {
            error.WriteLine($"throttlefs: {FuseMount.DevicePath} is missing: load the fuse module (modprobe fuse) or run where FUSE is available.");
            return false;
        }

        if (GetEUid() != 0 && !CommandExists("fusermount3"))
        {
            error.WriteLine("throttlefs: mounting as a normal user needs fusermount3: install fuse3 (apt-get install fuse3) or run as root.");
            return false;
        }

        layout = sourceIsDirectory ? SourceLayout.Directory : mountPointIsDirectory ? SourceLayout.FileInDirectory : SourceLayout.FileAsRoot;
        return true;
    }

    private static int Serve(MountOptions options, SourceLayout layout, TextWriter error)
    {
        var daemon = options.DaemonLog is not null;
        if (daemon)
        {
            SetSid(); // our own session: closing the terminal must not take the mount down
        }

        RaiseOpenFileLimit();

        // The kernel applies the caller's umask to every mode it sends us (we do not ask for FUSE_DONT_MASK); our own,
        // inherited from whoever ran the mount command, must not mask it a second time.
        Umask(0);
        PassthroughFileSystem passthrough;
        try
        {
            passthrough = PassthroughFileSystem.Create(options.Source, layout);
        }
        catch (IOException e)
        {
            error.WriteLine($"throttlefs: {e.Message}");
            return ExitCodes.Failure;
        }

        using var backing = passthrough;
        using var log = ThrottleFsLog.Create(options.Settings.Logging);
        using var policy = new ThrottlePolicy(options.Settings, log: log.Logger);
        var panel = new ControlPanel(policy, log.Logger, GetEUid());
        // A file mounted on a file has no directory to hold the control files, but its extended attributes work.
        var fileSystem = new ControlFileSystem(
            new ThrottledFileSystem(passthrough, policy, node => passthrough.RelativePath(node) ?? $"node {node}"),
            panel,
            options.Settings.ControlDirectory,
            GetEGid(),
            passthrough.RelativePath);

        using var watcher = WatchConfig(options, panel, policy, log);
        var fuseOptions = new FuseOptions { DirectIo = !options.PageCache, Trace = options.Trace };

        int fd;
        try
        {
            fd = FuseMount.Mount(options.Source, options.MountPoint, layout != SourceLayout.FileAsRoot, fuseOptions.MaxWrite, options.FuseOptions);
        }
        catch (IOException e)
        {
            error.WriteLine($"throttlefs: {e.Message}");
            return ExitCodes.Failure;
        }

        using var session = new FuseSession(fd, fileSystem, fuseOptions, Math.Clamp(Environment.ProcessorCount * 2, 4, 16));
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        session.Dispatcher.Initialized += () => ready.TrySetResult();
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Unmount);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Unmount);
        session.Start();

        if (Task.WaitAny(ready.Task, session.Stopped) == 0)
        {
            File.WriteAllText(RunFile(options.MountPoint, ".pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            log.Logger.Information(
                "Mounted {Source} at {MountPoint} (config {Config}; file limits {FileLimits}; mount limits {MountLimits}; {Groups} groups, {Rules} rules)",
                options.Source, options.MountPoint, options.Config.FilePath, policy.Limits.FileDefault.Summary, policy.Limits.Mount.Summary,
                policy.Limits.Groups.Count, options.Settings.Rules.Length);
            if (daemon)
            {
                Console.Out.WriteLine(ReadyLine);
                Console.Out.Flush();
                error = RedirectStandardStreams(options.DaemonLog!);
            }
            else
            {
                error.WriteLine($"throttlefs: mounted {options.Source} at {options.MountPoint}; press Ctrl-C to unmount.");
            }
        }

        session.Stopped.Wait();
        File.Delete(RunFile(options.MountPoint, ".pid"));
        var reason = session.StopReason;
        if (reason == FileSystem.Errno.ENODEV)
        {
            log.Logger.Information("Unmounted {MountPoint}; exiting", options.MountPoint);
        }
        else
        {
            log.Logger.Error("The FUSE connection for {MountPoint} ended ({Reason}); exiting", options.MountPoint, reason);
        }

        return reason == FileSystem.Errno.ENODEV ? ExitCodes.Success : ExitCodes.Failure;

        void Unmount(PosixSignalContext context)
        {
            context.Cancel = true; // exit through the normal path once the readers see the unmount
            FuseMount.Unmount(options.MountPoint);
        }
    }

    // Edits of the config file apply live. Without inotify watches left the mount still works, with the limits it
    // started with and the control file.
    private static ConfigWatcher? WatchConfig(MountOptions options, ControlPanel panel, ThrottlePolicy policy, ThrottleFsLog log)
    {
        try
        {
            return new ConfigWatcher(options.Config.FilePath, () =>
            {
                if (panel.Reload(options.Config))
                {
                    log.Follow(policy.Limits.Settings.Logging);
                    if (policy.Limits.Settings.ControlDirectory != options.Settings.ControlDirectory)
                    {
                        log.Logger.Warning("control-directory changed to {Name}; it takes effect at the next mount", policy.Limits.Settings.ControlDirectory);
                    }
                }
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Logger.Warning("Cannot watch {Config} ({Reason}); edits to it apply at the next mount", options.Config.FilePath, e.Message);
            return null;
        }
    }


    private static int StartDaemon(MountOptions options, TextWriter error)
    {
        var log = RunFile(options.MountPoint, ".log");
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var arguments = Environment.GetCommandLineArgs();
        var isDotnetHost = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet";
        foreach (var argument in arguments.Skip(isDotnetHost ? 0 : 1))
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--foreground");
        start.ArgumentList.Add("--daemon-log");
        start.ArgumentList.Add(log);

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

    // Where the daemon's log and pid file live: /run/throttlefs for root, the user's runtime directory otherwise.
    private static string RunFile(string mountPoint, string extension)
    {
        var directory = GetEUid() == 0
            ? "/run/throttlefs"
            : Path.Combine(Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") ?? Path.GetTempPath(), "throttlefs");
        Directory.CreateDirectory(directory);
        var name = mountPoint.Trim('/').Replace('/', '-');
        return Path.Combine(directory, (name.Length == 0 ? "root" : name) + extension);
    }

    private static Process? ReadPid(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path), out var pid) ? Process.GetProcessById(pid) : null;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Once the parent has been told the mount is ready it stops listening: from then on everything the daemon says
    // goes to its log. Console keeps duplicates of the original descriptors, so it is pointed at the log as well.
    private static TextWriter RedirectStandardStreams(string logPath)
    {
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var fd = (int)((FileStream)log.BaseStream).SafeFileHandle.DangerousGetHandle();
        Dup2(fd, 1);
        Dup2(fd, 2);
        var writer = TextWriter.Synchronized(log);
        Console.SetOut(writer);
        Console.SetError(writer);
        return writer;
    }

    private static unsafe void RaiseOpenFileLimit()
    {
        // Every inode the kernel knows holds an O_PATH descriptor, as in passthrough_ll.
        RLimit limit;
        if (GetRLimit(RLIMIT_NOFILE, &limit) == 0 && limit.Current < limit.Maximum)
        {
            limit.Current = limit.Maximum;
            SetRLimit(RLIMIT_NOFILE, &limit);
        }
    }

    private static bool CommandExists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(directory => File.Exists(Path.Combine(directory, name)));
}
