using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Sys
    {
        internal const uint STATX_BASIC_STATS = 0x7FF;

        /// <summary>statx(2): one layout on every architecture, which is why it is used instead of stat.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "statx", SetLastError = true)]
        internal static unsafe partial int Statx(int dirFd, byte* path, int flags, uint mask, StatxBuffer* buffer);

        [StructLayout(LayoutKind.Sequential)]
        internal struct StatxTimestamp
        {
            public long Seconds;
            public uint Nanoseconds;
            private int _reserved;
        }

        /// <summary><c>struct statx</c> (256 bytes).</summary>
        [StructLayout(LayoutKind.Sequential, Size = 256)]
        internal struct StatxBuffer
        {
            public uint Mask;
            public uint BlockSize;
            public ulong Attributes;
            public uint Nlink;
            public uint Uid;
            public uint Gid;
            public ushort Mode;
            private ushort _spare0;
            public ulong Ino;
            public ulong Size;
            public ulong Blocks;
            public ulong AttributesMask;
            public StatxTimestamp Atime;
            public StatxTimestamp Btime;
            public StatxTimestamp Ctime;
            public StatxTimestamp Mtime;
            public uint RdevMajor;
            public uint RdevMinor;
            public uint DevMajor;
            public uint DevMinor;
        }
    }
}
