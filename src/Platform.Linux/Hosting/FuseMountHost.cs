using ThrottleFs.Cli;
using ThrottleFs.FileSystem;
using ThrottleFs.Hosting;
using ThrottleFs.Platform.Linux.Fuse;
using ThrottleFs.Platform.Linux.Passthrough;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Hosting;

/// <summary>
/// Mounts through the kernel's FUSE device: the passthrough of the source under the core's <see cref="MountStack"/>,
/// served by a <see cref="FuseSession"/>. Without --foreground the mount command hands over to a <see cref="Daemon"/>.
/// </summary>
internal sealed class FuseMountHost : IMountHost
{
    public int Mount(MountOptions options, TextWriter error, CancellationToken cancellationToken)
    {
        if (!TryChooseLayout(options, out var layout, out var problem))
        {
            error.WriteLine($"throttlefs: {problem}");
            return ExitCodes.Failure;
        }

        return options.Foreground ? Serve(options, layout, error) : Daemon.Start(options, error);
    }

    public int Unmount(string mountPoint, TextWriter error)
    {
        if (!FuseMount.IsMountPoint(mountPoint))
        {
            error.WriteLine($"throttlefs: '{mountPoint}' is not mounted.");
            return ExitCodes.Failure;
        }

        using var daemon = RunFiles.ReadPid(mountPoint);
        var result = FuseMount.Unmount(mountPoint, out var detached);
        if (result != Errno.Success)
        {
            error.WriteLine($"throttlefs: cannot unmount '{mountPoint}': {result}{(result == Errno.EPERM ? " (run as root or install fuse3)" : "")}.");
            return ExitCodes.Failure;
        }

        // Let the daemon finish: when this says "unmounted", nothing of the mount is left running.
        if (daemon is null || daemon.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            RunFiles.DeletePid(mountPoint); // a daemon killed before it could clear its own
            error.WriteLine($"throttlefs: unmounted {mountPoint}");
            return ExitCodes.Success;
        }

        error.WriteLine(detached
            ? $"throttlefs: detached {mountPoint}, which was busy: files on it are still open, and its daemon (pid {daemon.Id}) serves them until they are closed."
            : $"throttlefs: {mountPoint} is unmounted, but its daemon (pid {daemon.Id}) has not exited after 10 s; see its log, {RunFiles.Log(mountPoint)}.");
        return ExitCodes.Failure;
    }

    private static bool TryChooseLayout(MountOptions options, out SourceLayout layout, out string? problem)
    {
        if (!SourceLayouts.TryChoose(options.Source, options.MountPoint, out layout, out problem))
        {
            return false;
        }

        problem = FuseMount.IsMountPoint(options.MountPoint)
            ? $"'{options.MountPoint}' is already a mount point; unmount it first (throttlefs unmount {options.MountPoint})."
            : !File.Exists(FuseMount.DevicePath)
            ? $"{FuseMount.DevicePath} is missing: load the fuse module (modprobe fuse) or run where FUSE is available."
            : GetEUid() != 0 && !CommandExists("fusermount3")
            ? "mounting as a normal user needs fusermount3: install fuse3 (apt-get install fuse3) or run as root."
            : null;
        return problem is null;
    }

    private static int Serve(MountOptions options, SourceLayout layout, TextWriter error)
    {
        if (Daemon.LogPath is not null)
        {
            Daemon.Detach();
        }

        ServerProcess.Prepare();
        PassthroughFileSystem passthrough;
        try
        {
            passthrough = new PassthroughFileSystem(options.Source, layout);
        }
        catch (IOException e)
        {
            error.WriteLine($"throttlefs: {e.Message}");
            return ExitCodes.Failure;
        }

        using var backing = passthrough;
        MountStack built;
        try
        {
            built = MountStack.Build(options, passthrough, new MountOwner(GetEUid(), GetEGid()), new ProcProcessNames());
        }
        catch (IOException e)
        {
            error.WriteLine($"throttlefs: {e.Message}");
            return ExitCodes.Failure;
        }

        using var stack = built;
        var fuseOptions = new FuseOptions { DirectIo = !options.PageCache, Trace = options.Trace, Transport = options.Transport };
        int fd;
        try
        {
            fd = FuseMount.Mount(options.Source, options.MountPoint, layout != SourceLayout.FileAsRoot, fuseOptions.MaxWrite, options.ExtraOptions);
        }
        catch (IOException e)
        {
            error.WriteLine($"throttlefs: {e.Message}");
            return ExitCodes.Failure;
        }

        using var session = new FuseSession(fd, stack.FileSystem, fuseOptions, Math.Clamp(Environment.ProcessorCount * 2, 4, 16));
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        session.Dispatcher.Initialized += () => ready.TrySetResult();
        using var signals = ServerProcess.UnmountOnStopSignals(() => FuseMount.Unmount(options.MountPoint, out _));
        session.Start();

        if (Task.WaitAny(ready.Task, session.Stopped) == 0)
        {
            RunFiles.WritePid(options.MountPoint);
            if (Daemon.LogPath is { } log)
            {
                error = Daemon.ReportReady(log);
            }
            else
            {
                error.WriteLine($"throttlefs: mounted {options.Source} at {options.MountPoint}; press Ctrl-C to unmount.");
            }

            // Once ready, so that a daemon's lines reach its log file.
            stack.LogMounted();
            session.ReportTransport(stack.Log);
        }

        // Notes about the backing store's file handles, and the Debug lines about nodes, from now on: a daemon's log
        // reaches its log file only once it is ready.
        passthrough.Log = stack.Log;
        using var usage = new NodeUsageLog(passthrough, stack.Log);
        session.Stopped.Wait();
        RunFiles.DeletePid(options.MountPoint);
        var unmounted = session.StopReason == Errno.ENODEV;
        if (unmounted)
        {
            stack.Log.Information("Unmounted {MountPoint}; exiting", options.MountPoint);
        }
        else
        {
            stack.Log.Error("The FUSE connection for {MountPoint} ended ({Reason}); exiting", options.MountPoint, session.StopReason);
        }

        return unmounted ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static bool CommandExists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(directory => File.Exists(Path.Combine(directory, name)));
}
