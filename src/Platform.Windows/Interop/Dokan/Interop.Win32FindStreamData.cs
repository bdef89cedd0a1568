using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static unsafe partial class Dokan
    {
        /// <summary>
        /// <c>WIN32_FIND_STREAM_DATA</c> (fileapi.h): one alternate data stream handed to FillFindStreamData.
        /// 600 bytes: a LARGE_INTEGER and WCHAR[MAX_PATH + 36].
        /// </summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct Win32FindStreamData
        {
            public long StreamSize;

            /// <summary><c>:name:$DATA</c>, NUL-terminated.</summary>
            public fixed char StreamName[Win32FindData.MaxPath + 36];
        }
    }
}
