using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>open(2). Returns the fd, or −1 with errno set.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "open", SetLastError = true)]
        internal static unsafe partial int Open(byte* path, int flags, uint mode);

        /// <summary>openat(2). Returns the fd, or −1 with errno set.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "openat", SetLastError = true)]
        internal static unsafe partial int OpenAt(int dirFd, byte* path, int flags, uint mode);
    }
}
