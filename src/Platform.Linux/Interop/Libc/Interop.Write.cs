using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>write(2). Returns bytes written or −1 with errno set.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "write", SetLastError = true)]
        internal static unsafe partial nint Write(int fd, byte* buffer, nint count);

        /// <summary>pwrite(2). Returns bytes written or −1 with errno set.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "pwrite64", SetLastError = true)]
        internal static unsafe partial nint PWrite(int fd, byte* buffer, nint count, long offset);
    }
}
