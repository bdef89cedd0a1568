using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static unsafe partial class Dokan
    {
        /// <summary>
        /// <c>BY_HANDLE_FILE_INFORMATION</c> (fileapi.h): what GetFileInformation fills. 52 bytes, 4-byte aligned.
        /// </summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct ByHandleFileInformation
        {
            public uint FileAttributes;

            public FileTime CreationTime;

            public FileTime LastAccessTime;

            public FileTime LastWriteTime;

            public uint VolumeSerialNumber;

            public uint FileSizeHigh;

            public uint FileSizeLow;

            public uint NumberOfLinks;

            /// <summary>With <see cref="FileIndexLow"/>, the file id; the inode number serves.</summary>
            public uint FileIndexHigh;

            public uint FileIndexLow;
        }
    }
}
