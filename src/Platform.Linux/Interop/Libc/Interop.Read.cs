using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>read(2). Returns bytes read, 0 at end of file, or −1 with errno set.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "read", SetLastError = true)]
        internal static unsafe partial nint Read(int fd, byte* buffer, nint count);

        /// <summary>pread(2). Returns bytes read, 0 at end of file, or −1 with errno set.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "pread64", SetLastError = true)]
        internal static unsafe partial nint PRead(int fd, byte* buffer, nint count, long offset);
    }
}
