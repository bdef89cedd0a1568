using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static unsafe partial class Dokan
    {
        /// <summary>
        /// <c>DOKAN_OPERATIONS</c> (dokan.h, v2): 25 stdcall function pointers, entry <i>i</i> at 8·<i>i</i>, 200 bytes on
        /// x64. NTSTATUS is an int; a null entry makes dokan2.dll answer for it (or refuse the request).
        /// </summary>
        /// <remarks>dokan2.dll keeps the pointer for the whole mount, so the table lives in native memory.</remarks>
        [StructLayout(LayoutKind.Sequential)]
        internal struct DokanOperations
        {
            public delegate* unmanaged[Stdcall]<char*, DokanIoSecurityContext*, uint, uint, uint, uint, uint, DokanFileInfo*, int> ZwCreateFile;

            public delegate* unmanaged[Stdcall]<char*, DokanFileInfo*, void> Cleanup;

            public delegate* unmanaged[Stdcall]<char*, DokanFileInfo*, void> CloseFile;

            public delegate* unmanaged[Stdcall]<char*, void*, uint, uint*, long, DokanFileInfo*, int> ReadFile;

            public delegate* unmanaged[Stdcall]<char*, void*, uint, uint*, long, DokanFileInfo*, int> WriteFile;

            public delegate* unmanaged[Stdcall]<char*, DokanFileInfo*, int> FlushFileBuffers;

            public delegate* unmanaged[Stdcall]<char*, ByHandleFileInformation*, DokanFileInfo*, int> GetFileInformation;

            /// <summary>The third argument is <c>PFillFindData</c>: give each entry to it, with the same info pointer.</summary>
            public delegate* unmanaged[Stdcall]<char*, delegate* unmanaged[Stdcall]<Win32FindData*, DokanFileInfo*, int>, DokanFileInfo*, int> FindFiles;

            public delegate* unmanaged[Stdcall]<char*, char*, delegate* unmanaged[Stdcall]<Win32FindData*, DokanFileInfo*, int>, DokanFileInfo*, int> FindFilesWithPattern;

            public delegate* unmanaged[Stdcall]<char*, uint, DokanFileInfo*, int> SetFileAttributes;

            public delegate* unmanaged[Stdcall]<char*, FileTime*, FileTime*, FileTime*, DokanFileInfo*, int> SetFileTime;

            public delegate* unmanaged[Stdcall]<char*, DokanFileInfo*, int> DeleteFile;

            public delegate* unmanaged[Stdcall]<char*, DokanFileInfo*, int> DeleteDirectory;

            /// <summary>(FileName, NewFileName, BOOL ReplaceIfExisting, info).</summary>
            public delegate* unmanaged[Stdcall]<char*, char*, int, DokanFileInfo*, int> MoveFile;

            public delegate* unmanaged[Stdcall]<char*, long, DokanFileInfo*, int> SetEndOfFile;

            public delegate* unmanaged[Stdcall]<char*, long, DokanFileInfo*, int> SetAllocationSize;

            public delegate* unmanaged[Stdcall]<char*, long, long, DokanFileInfo*, int> LockFile;

            public delegate* unmanaged[Stdcall]<char*, long, long, DokanFileInfo*, int> UnlockFile;

            /// <summary>(FreeBytesAvailable, TotalNumberOfBytes, TotalNumberOfFreeBytes, info).</summary>
            public delegate* unmanaged[Stdcall]<ulong*, ulong*, ulong*, DokanFileInfo*, int> GetDiskFreeSpace;

            /// <summary>(VolumeName, its size in WCHARs, SerialNumber, MaximumComponentLength, FileSystemFlags, FileSystemName, its size, info).</summary>
            public delegate* unmanaged[Stdcall]<char*, uint, uint*, uint*, uint*, char*, uint, DokanFileInfo*, int> GetVolumeInformation;

            public delegate* unmanaged[Stdcall]<char*, DokanFileInfo*, int> Mounted;

            public delegate* unmanaged[Stdcall]<DokanFileInfo*, int> Unmounted;

            /// <summary>(FileName, PSECURITY_INFORMATION, PSECURITY_DESCRIPTOR, BufferLength, LengthNeeded, info).</summary>
            public delegate* unmanaged[Stdcall]<char*, uint*, void*, uint, uint*, DokanFileInfo*, int> GetFileSecurity;

            public delegate* unmanaged[Stdcall]<char*, uint*, void*, uint, DokanFileInfo*, int> SetFileSecurity;

            /// <summary>(FileName, PFillFindStreamData, FindStreamContext, info).</summary>
            public delegate* unmanaged[Stdcall]<char*, delegate* unmanaged[Stdcall]<Win32FindStreamData*, void*, int>, void*, DokanFileInfo*, int> FindStreams;
        }
    }
}
