using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static unsafe partial class Dokan
    {
        /// <summary>
        /// <c>DOKAN_FILE_INFO</c> (dokan.h, v2): the per-request context every callback receives. 48 bytes on x64.
        /// </summary>
        /// <remarks>
        /// Only ever used through the pointer dokan2.dll hands us, and that same pointer is what must be given back to
        /// <c>FillFindData</c> and <see cref="DokanResetTimeout"/>: the library finds its request through
        /// <see cref="DokanContext"/> and <see cref="ProcessingContext"/>.
        /// </remarks>
        [StructLayout(LayoutKind.Sequential)]
        internal struct DokanFileInfo
        {
            /// <summary>Ours: set in ZwCreateFile, handed back on every later request on that open.</summary>
            public ulong Context;

            /// <summary>Reserved for the library.</summary>
            public ulong DokanContext;

            public DokanOptions* DokanOptions;

            /// <summary>Reserved for the library (v2.0.0.2000 and later put it here).</summary>
            public void* ProcessingContext;

            public uint ProcessId;

            /// <summary>UCHAR. Preset when the caller asked for a directory; ZwCreateFile sets it for an open that found one.</summary>
            public byte IsDirectory;

            /// <summary>UCHAR. Cleanup of the last handle must delete the object (named <c>DeleteOnClose</c> before 2.3.0).</summary>
            public byte DeletePending;

            public byte PagingIo;

            public byte SynchronousIo;

            /// <summary>UCHAR. Unbuffered I/O, the Windows analogue of O_DIRECT.</summary>
            public byte Nocache;

            /// <summary>UCHAR. Write at the current end of file and ignore the offset (append).</summary>
            public byte WriteToEndOfFile;
        }
    }
}
