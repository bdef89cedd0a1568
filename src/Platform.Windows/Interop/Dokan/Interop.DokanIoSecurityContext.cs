using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static unsafe partial class Dokan
    {
        /// <summary>
        /// <c>DOKAN_IO_SECURITY_CONTEXT</c> (sys/public.h): ZwCreateFile's security context. 72 bytes on x64,
        /// <see cref="DesiredAccess"/> at 64.
        /// </summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct DokanIoSecurityContext
        {
            public DokanAccessState AccessState;

            /// <summary>ACCESS_MASK; the same value ZwCreateFile also receives as a parameter.</summary>
            public uint DesiredAccess;
        }
    }
}
