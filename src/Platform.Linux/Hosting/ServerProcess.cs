using System.Runtime.InteropServices;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Hosting;

/// <summary>What the process serving a mount sets up for itself, in the foreground or as a daemon.</summary>
internal static unsafe class ServerProcess
{
    /// <summary>
    /// Raises the open-file limit to its hard maximum, which the passthrough sizes its descriptor cache and the room
    /// for open files from (<see cref="Passthrough.DescriptorBudget"/>), and clears the umask: the kernel applies the
    /// caller's umask to every mode it sends us (we do not ask for FUSE_DONT_MASK), and ours, inherited from whoever
    /// ran the mount command, must not mask it a second time.
    /// </summary>
    public static void Prepare()
    {
        RLimit limit;
        if (GetRLimit(RLIMIT_NOFILE, &limit) == 0 && limit.Current < limit.Maximum)
        {
            limit.Current = limit.Maximum;
            SetRLimit(RLIMIT_NOFILE, &limit);
        }

        Umask(0);
    }

    /// <summary>Runs <paramref name="unmount"/> on Ctrl-C and SIGTERM instead of dying: the process exits once the mount is gone.</summary>
    public static IDisposable UnmountOnStopSignals(Action unmount)
    {
        void Handle(PosixSignalContext context)
        {
            context.Cancel = true;
            unmount();
        }

        var registrations = new[] { PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle) };
        return new Registrations(registrations);
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
