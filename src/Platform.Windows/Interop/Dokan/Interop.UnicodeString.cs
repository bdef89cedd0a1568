using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static unsafe partial class Dokan
    {
        /// <summary><c>UNICODE_STRING</c> (ntdef.h): counted UTF-16, not NUL-terminated. 16 bytes on x64.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct UnicodeString
        {
            /// <summary>In bytes, not characters.</summary>
            public ushort Length;

            /// <summary>In bytes, not characters.</summary>
            public ushort MaximumLength;

            public char* Buffer;
        }
    }
}
