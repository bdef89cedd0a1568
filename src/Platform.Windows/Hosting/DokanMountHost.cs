using System.Runtime.InteropServices;
using ThrottleFs.Cli;
using ThrottleFs.Hosting;
using ThrottleFs.Platform.Windows.Dokan;
using ThrottleFs.Platform.Windows.Passthrough;

namespace ThrottleFs.Platform.Windows.Hosting;

/// <summary>
/// Mounts through Dokan v2: the portable passthrough of the source under the core's <see cref="MountStack"/>, served
/// by a <see cref="DokanDispatcher"/> on a <see cref="DokanMount"/>. Without --foreground the command starts itself
/// again in the background (<see cref="DaemonLauncher"/>) and returns once the volume is there.
/// </summary>
internal sealed class DokanMountHost(IDokanLibrary dokan, Func<IRequestors> requestors, CancellationToken stop = default) : IMountHost
{
    /// <summary>The driver's timeout per request: long, so that RequestWait's resets are rare (each is a device call).</summary>
    public static readonly TimeSpan DriverTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The longest a read or write waits in all, every layer's buckets and latency together: well under a minute, so
    /// an application sees a timeout rather than a hang while a Dokan thread is held for it. A layer's own
    /// <c>max-wait</c> refuses sooner.
    /// </summary>
    public static readonly TimeSpan RequestCap = TimeSpan.FromSeconds(30);

    public int Mount(MountOptions options, TextWriter error, CancellationToken cancellationToken)
    {
        if (!MountPointName.TryNormalize(options.MountPoint, out var mountPoint, out var problem) ||
            (problem = DokanLibraryCheck.Problem(dokan)) is not null)
        {
            error.WriteLine($"throttlefs: {problem}");
            return ExitCodes.Failure;
        }

        options = options with { MountPoint = mountPoint };
        return options.Foreground ? Serve(options, error, cancellationToken) : DaemonLauncher.Start(options, WindowsRunFiles.Log(mountPoint), error);
    }

    public string FullMountPoint(string typed) => MountPointName.Full(typed);

    public int Unmount(string mountPoint, TextWriter error)
    {
        if (DokanLibraryCheck.Problem(dokan) is { } problem)
        {
            error.WriteLine($"throttlefs: {problem}");
            return ExitCodes.Failure;
        }

        using var server = WindowsRunFiles.ReadPid(mountPoint);
        if (!dokan.RemoveMountPoint(mountPoint) && server is null)
        {
            WindowsRunFiles.DeletePid(mountPoint); // left by a process that was killed: Dokan unmounted with it
            error.WriteLine($"throttlefs: '{mountPoint}' is not mounted.");
            return ExitCodes.Failure;
        }

        // Let the server finish: when this says "unmounted", nothing of the mount is left running.
        if (server is null || server.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            WindowsRunFiles.DeletePid(mountPoint);
            error.WriteLine($"throttlefs: unmounted {mountPoint}");
            return ExitCodes.Success;
        }

        error.WriteLine($"throttlefs: {mountPoint} is unmounted, but its process (pid {server.Id}) has not exited after 10 s; see its log, {WindowsRunFiles.Log(mountPoint)}.");
        return ExitCodes.Failure;
    }

    private int Serve(MountOptions options, TextWriter error, CancellationToken cancellationToken)
    {
        PortablePassthroughFileSystem passthrough;
        try
        {
            passthrough = new PortablePassthroughFileSystem(options.Source);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"throttlefs: cannot serve '{options.Source}': {e.Message}");
            return ExitCodes.Failure;
        }

        dokan.Init();
        try
        {
            using var backing = passthrough;
            MountStack built;
            try
            {
                built = MountStack.Build(options, passthrough, WindowsOwner.Owner, new WindowsProcessNames());
            }
            catch (IOException e)
            {
                error.WriteLine($"throttlefs: {e.Message}");
                return ExitCodes.Failure;
            }

            using var stack = built;
            var wait = new RequestWait(dokan, TimeProvider.System, DriverTimeout, RequestCap);
            var dispatcher = new DokanDispatcher(stack.FileSystem, requestors(), wait, Volume(options), stack.Log) { Trace = options.Trace };
            DokanMount mount;
            try
            {
                mount = DokanMount.Start(dokan, dispatcher, options.MountPoint, DriverTimeout, readOnly: options.ExtraOptions.Contains("ro"));
            }
            catch (DokanMountException e)
            {
                error.WriteLine($"throttlefs: {e.Message}");
                return ExitCodes.Failure;
            }

            using (mount)
            {
                var mountPoint = dispatcher.MountPoint ?? options.MountPoint;
                void Unmount() => dokan.RemoveMountPoint(mountPoint);
                using var signals = UnmountOnStopSignals(Unmount);
                using var cancelled = cancellationToken.Register(Unmount);
                using var stopped = stop.Register(Unmount);
                WindowsRunFiles.WritePid(options.MountPoint);
                stack.LogMounted();
                if (DaemonLauncher.LogPath is { } log)
                {
                    DaemonLauncher.ReportReady(log);
                }
                else
                {
                    error.WriteLine($"throttlefs: mounted {options.Source} at {mountPoint}; press Ctrl-C to unmount.");
                }

                mount.WaitForClosed(Timeout.InfiniteTimeSpan);
                WindowsRunFiles.DeletePid(options.MountPoint);
                stack.Log.Information("Unmounted {MountPoint}; exiting", mountPoint);
            }

            return ExitCodes.Success;
        }
        finally
        {
            dokan.Shutdown();
        }
    }

    // The serial number stays the same from one mount of a source to the next (string hashes change per process), so
    // what Windows remembers about the volume still applies.
    private static DokanVolume Volume(MountOptions options)
    {
        var serial = 2166136261u; // FNV-1a
        foreach (var c in options.Source.ToUpperInvariant())
        {
            serial = (serial ^ c) * 16777619u;
        }

        return new DokanVolume("ThrottleFs", serial, CaseSensitive: false);
    }

    /// <summary>Ctrl-C, Ctrl-Break and the console closing unmount instead of ending the process with the volume up.</summary>
    private static IDisposable UnmountOnStopSignals(Action unmount)
    {
        void Handle(PosixSignalContext context)
        {
            context.Cancel = true;
            unmount();
        }

        return new Registrations([
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ]);
    }

    private sealed class Registrations(PosixSignalRegistration[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
