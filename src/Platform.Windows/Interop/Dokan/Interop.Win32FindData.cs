using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static unsafe partial class Dokan
    {
        /// <summary>
        /// <c>WIN32_FIND_DATAW</c> (minwinbase.h): one directory entry handed to FillFindData. 592 bytes, 4-byte
        /// aligned; the <c>_MAC</c>-only trailing fields do not exist on Windows.
        /// </summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct Win32FindData
        {
            public uint FileAttributes;

            public FileTime CreationTime;

            public FileTime LastAccessTime;

            public FileTime LastWriteTime;

            public uint FileSizeHigh;

            public uint FileSizeLow;

            public uint Reserved0;

            public uint Reserved1;

            /// <summary>WCHAR[MAX_PATH], NUL-terminated.</summary>
            public fixed char FileName[MaxPath];

            /// <summary>WCHAR[14]: the 8.3 name, or empty.</summary>
            public fixed char AlternateFileName[14];

            /// <summary><c>MAX_PATH</c>.</summary>
            public const int MaxPath = 260;
        }
    }
}
