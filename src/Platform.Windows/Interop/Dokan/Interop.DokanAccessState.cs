using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static unsafe partial class Dokan
    {
        /// <summary>
        /// <c>DOKAN_ACCESS_STATE</c> (sys/public.h): the user-mode copy of the kernel's ACCESS_STATE for a create.
        /// 64 bytes on x64.
        /// </summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct DokanAccessState
        {
            public byte SecurityEvaluated;

            public byte GenerateAudit;

            public byte GenerateOnClose;

            public byte AuditPrivileges;

            public uint Flags;

            public uint RemainingDesiredAccess;

            public uint PreviouslyGrantedAccess;

            public uint OriginalDesiredAccess;

            /// <summary>PSECURITY_DESCRIPTOR of the object being created, or null.</summary>
            public void* SecurityDescriptor;

            public UnicodeString ObjectName;

            public UnicodeString ObjectType;
        }
    }
}
