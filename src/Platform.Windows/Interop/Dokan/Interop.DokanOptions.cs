using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static unsafe partial class Dokan
    {
        /// <summary>
        /// <c>DOKAN_OPTIONS</c> (dokan.h, v2): how a volume is mounted. 16 432 bytes on x64, natural alignment.
        /// </summary>
        /// <remarks>
        /// dokan2.dll keeps the pointer for the whole mount and edits the struct (it clears NETWORK on folder mounts and
        /// resets sizes that are not powers of two in 512..65536), so it must live in native memory, together with the
        /// strings it points to, until <see cref="DokanCloseHandle"/> returns.
        /// </remarks>
        [StructLayout(LayoutKind.Sequential)]
        internal struct DokanOptions
        {
            /// <summary>The API version asked for, without dots; the library refuses anything below 200.</summary>
            public ushort Version;

            /// <summary>BOOLEAN. One pull thread and no batching; hangs Explorer (dokany#1207), so leave it 0.</summary>
            public byte SingleThread;

            /// <summary><see cref="DokanOptionFlags"/> bits.</summary>
            public uint Options;

            /// <summary>Free for the file system; dokan2.dll never reads it.</summary>
            public ulong GlobalContext;

            /// <summary>LPCWSTR: <c>M:\</c> or an existing empty NTFS folder.</summary>
            public char* MountPoint;

            /// <summary>LPCWSTR: the UNC name, for NETWORK mounts only.</summary>
            public char* UncName;

            /// <summary>Per-request timeout in milliseconds; 0 means 15 s and the driver clamps it to 15..300 s.</summary>
            public uint Timeout;

            public uint AllocationUnitSize;

            public uint SectorSize;

            /// <summary>0 lets the library synthesize a descriptor; otherwise the length of the self-relative one below.</summary>
            public uint VolumeSecurityDescriptorLength;

            /// <summary>CHAR[VOLUME_SECURITY_DESCRIPTOR_MAX_SIZE]: a self-relative security descriptor (dokany#1169).</summary>
            public fixed byte VolumeSecurityDescriptor[VolumeSecurityDescriptorMaxSize];

            /// <summary><c>VOLUME_SECURITY_DESCRIPTOR_MAX_SIZE</c> (sys/public.h).</summary>
            public const int VolumeSecurityDescriptorMaxSize = 16 * 1024;
        }
    }
}
