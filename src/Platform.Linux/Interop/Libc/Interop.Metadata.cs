using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Sys
    {
        [StructLayout(LayoutKind.Sequential)]
        internal struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        /// <summary>utimensat's "set to the current time" and "leave unchanged" nanosecond values.</summary>
        internal const long UTIME_NOW = (1L << 30) - 1;
        internal const long UTIME_OMIT = (1L << 30) - 2;

        [LibraryImport(Libraries.Libc, EntryPoint = "fchmod", SetLastError = true)]
        internal static partial int FChMod(int fd, uint mode);

        [LibraryImport(Libraries.Libc, EntryPoint = "fchmodat", SetLastError = true)]
        internal static unsafe partial int FChModAt(int dirFd, byte* path, uint mode, int flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "fchownat", SetLastError = true)]
        internal static unsafe partial int FChOwnAt(int dirFd, byte* path, uint uid, uint gid, int flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "utimensat", SetLastError = true)]
        internal static unsafe partial int UTimensAt(int dirFd, byte* path, TimeSpec* times, int flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "truncate64", SetLastError = true)]
        internal static unsafe partial int Truncate(byte* path, long length);

        [LibraryImport(Libraries.Libc, EntryPoint = "ftruncate64", SetLastError = true)]
        internal static partial int FTruncate(int fd, long length);
    }
}
