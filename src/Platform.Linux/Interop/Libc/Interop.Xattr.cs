using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Sys
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "getxattr", SetLastError = true)]
        internal static unsafe partial nint GetXattr(byte* path, byte* name, byte* value, nint size);

        [LibraryImport(Libraries.Libc, EntryPoint = "setxattr", SetLastError = true)]
        internal static unsafe partial int SetXattr(byte* path, byte* name, byte* value, nint size, int flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "listxattr", SetLastError = true)]
        internal static unsafe partial nint ListXattr(byte* path, byte* list, nint size);

        [LibraryImport(Libraries.Libc, EntryPoint = "removexattr", SetLastError = true)]
        internal static unsafe partial int RemoveXattr(byte* path, byte* name);

        // The l* variants act on a symlink itself rather than on its target.
        [LibraryImport(Libraries.Libc, EntryPoint = "lgetxattr", SetLastError = true)]
        internal static unsafe partial nint LGetXattr(byte* path, byte* name, byte* value, nint size);

        [LibraryImport(Libraries.Libc, EntryPoint = "lsetxattr", SetLastError = true)]
        internal static unsafe partial int LSetXattr(byte* path, byte* name, byte* value, nint size, int flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "llistxattr", SetLastError = true)]
        internal static unsafe partial nint LListXattr(byte* path, byte* list, nint size);

        [LibraryImport(Libraries.Libc, EntryPoint = "lremovexattr", SetLastError = true)]
        internal static unsafe partial int LRemoveXattr(byte* path, byte* name);
    }
}
