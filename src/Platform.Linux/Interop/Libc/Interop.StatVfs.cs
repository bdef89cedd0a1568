using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary><c>struct statfs</c> as on 64-bit Linux (120 bytes).</summary>
        [StructLayout(LayoutKind.Sequential, Size = 120)]
        internal struct StatFsBuffer
        {
            public long Type;
            public long BlockSize;
            public ulong Blocks;
            public ulong BlocksFree;
            public ulong BlocksAvailable;
            public ulong Files;
            public ulong FilesFree;
            public long FsId;
            public long NameMax;
            public long FragmentSize;
            public long Flags;
        }

        [LibraryImport(Libraries.Libc, EntryPoint = "fstatfs64", SetLastError = true)]
        internal static unsafe partial int FStatFs(int fd, StatFsBuffer* buffer);
    }
}
