using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Sys
    {
        internal const int F_SETPIPE_SZ = 1031;

        /// <summary>pipe2(2): fds[0] is the read end, fds[1] the write end.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "pipe2", SetLastError = true)]
        internal static unsafe partial int Pipe2(int* fds, int flags);

        /// <summary>
        /// splice(2): moves up to <paramref name="length"/> bytes between a pipe and another descriptor (or two pipes)
        /// by reference to their pages. A null offset uses (and moves) the descriptor's own position; pipes have none.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "splice", SetLastError = true)]
        internal static unsafe partial nint Splice(int fdIn, long* offsetIn, int fdOut, long* offsetOut, nint length, uint flags);
    }
}
