using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>The errno of the last failed P/Invoke on this thread: the one place errno is read.</summary>
        internal static Errno LastError => (Errno)Marshal.GetLastPInvokeError();

        /// <summary>0 → <see cref="Errno.Success"/>, −1 → errno.</summary>
        internal static Errno Check(int result) => result < 0 ? LastError : Errno.Success;
    }
}
