using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>The largest <c>f_handle</c> the kernel encodes (fcntl.h's MAX_HANDLE_SZ).</summary>
        internal const int MAX_HANDLE_SZ = 128;

        /// <summary>
        /// The header of <c>struct file_handle</c>: <c>handle_bytes</c> (u32) and <c>handle_type</c> (i32), then
        /// <c>f_handle[handle_bytes]</c>.
        /// </summary>
        internal const int FileHandleHeaderSize = 8;

        /// <summary>
        /// name_to_handle_at(2): the kernel's handle of a file (with AT_EMPTY_PATH, of <paramref name="dirFd"/> itself)
        /// and the id of the mount it was reached through. <paramref name="handle"/> is a <c>struct file_handle</c>
        /// whose <c>handle_bytes</c> says how much room it has; EOVERFLOW says how much it needs, EOPNOTSUPP that the
        /// filesystem has no handles.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "name_to_handle_at", SetLastError = true)]
        internal static unsafe partial int NameToHandleAt(int dirFd, byte* path, byte* handle, int* mountId, int flags);

        /// <summary>
        /// open_by_handle_at(2): opens the file a handle names, on the filesystem of <paramref name="mountFd"/> (which
        /// must not be an O_PATH descriptor). Needs CAP_DAC_READ_SEARCH (EPERM otherwise); ESTALE once the file is gone.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "open_by_handle_at", SetLastError = true)]
        internal static unsafe partial int OpenByHandleAt(int mountFd, byte* handle, int flags);
    }
}
