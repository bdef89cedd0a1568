using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Sys
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "fsync", SetLastError = true)]
        internal static partial int FSync(int fd);

        [LibraryImport(Libraries.Libc, EntryPoint = "fdatasync", SetLastError = true)]
        internal static partial int FDataSync(int fd);

        [LibraryImport(Libraries.Libc, EntryPoint = "fallocate64", SetLastError = true)]
        internal static partial int FAllocate(int fd, int mode, long offset, long length);

        [LibraryImport(Libraries.Libc, EntryPoint = "lseek64", SetLastError = true)]
        internal static partial long LSeek(int fd, long offset, int whence);

        [LibraryImport(Libraries.Libc, EntryPoint = "copy_file_range", SetLastError = true)]
        internal static unsafe partial nint CopyFileRange(int fdIn, long* offsetIn, int fdOut, long* offsetOut, nint length, uint flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "getdents64", SetLastError = true)]
        internal static unsafe partial nint GetDents64(int fd, byte* buffer, nint count);

        [LibraryImport(Libraries.Libc, EntryPoint = "fcntl", SetLastError = true)]
        internal static partial int Fcntl(int fd, int command, int argument);
    }
}
