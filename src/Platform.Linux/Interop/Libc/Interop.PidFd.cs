using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>pidfd_open(2)'s number, the same on every architecture (Linux 5.3).</summary>
        internal const long SYS_pidfd_open = 434;

        internal const short POLLIN = 0x1;

        [StructLayout(LayoutKind.Sequential)]
        internal struct PollFd
        {
            public int Fd;
            public short Events;
            public short Revents;
        }

        /// <summary>
        /// pidfd_open(2): a descriptor for a process that is not our child. It becomes readable when the process exits,
        /// zombie or not, and names that process only, however soon its pid is reused.
        /// </summary>
        internal static int PidFdOpen(int pid) => (int)Syscall(SYS_pidfd_open, pid, 0, 0, 0, 0, 0);

        [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
        internal static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);
    }
}
