using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Sys
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "mknodat", SetLastError = true)]
        internal static unsafe partial int MkNodAt(int dirFd, byte* path, uint mode, ulong dev);

        [LibraryImport(Libraries.Libc, EntryPoint = "mkdirat", SetLastError = true)]
        internal static unsafe partial int MkDirAt(int dirFd, byte* path, uint mode);

        [LibraryImport(Libraries.Libc, EntryPoint = "unlinkat", SetLastError = true)]
        internal static unsafe partial int UnlinkAt(int dirFd, byte* path, int flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "renameat2", SetLastError = true)]
        internal static unsafe partial int RenameAt2(int oldDirFd, byte* oldPath, int newDirFd, byte* newPath, uint flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "symlinkat", SetLastError = true)]
        internal static unsafe partial int SymlinkAt(byte* target, int newDirFd, byte* linkPath);

        [LibraryImport(Libraries.Libc, EntryPoint = "readlinkat", SetLastError = true)]
        internal static unsafe partial nint ReadLinkAt(int dirFd, byte* path, byte* buffer, nint size);

        [LibraryImport(Libraries.Libc, EntryPoint = "linkat", SetLastError = true)]
        internal static unsafe partial int LinkAt(int oldDirFd, byte* oldPath, int newDirFd, byte* newPath, int flags);
    }
}
