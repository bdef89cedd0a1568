using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static unsafe partial class Dokan
    {
        /// <summary>
        /// <c>FILETIME</c> (minwinbase.h): 100 ns ticks since 1601-01-01 UTC, split in two DWORDs. 8 bytes, but only
        /// 4-byte aligned, which is why it is not a <c>long</c>: inside <see cref="Win32FindData"/> and
        /// <see cref="ByHandleFileInformation"/> a <c>long</c> would move every later field.
        /// </summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct FileTime
        {
            public uint Low;

            public uint High;

            /// <summary>Both halves as one tick count (what <see cref="DateTime.ToFileTimeUtc"/> returns).</summary>
            public readonly long Value => (long)(((ulong)High << 32) | Low);

            public static FileTime FromValue(long value) =>
                new() { Low = (uint)value, High = (uint)((ulong)value >> 32) };
        }
    }
}
