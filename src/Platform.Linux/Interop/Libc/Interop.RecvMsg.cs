using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Sys
    {
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct IoVec
        {
            public void* Base;
            public nint Length;
        }

        /// <summary><c>struct msghdr</c> (56 bytes on 64-bit Linux).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct MessageHeader
        {
            public void* Name;
            public uint NameLength;
            public IoVec* Iov;
            public nint IovLength;
            public void* Control;
            public nint ControlLength;
            public int Flags;
        }

        /// <summary>recvmsg(2): .NET's sockets cannot receive SCM_RIGHTS, which fusermount3 sends the fd with.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "recvmsg", SetLastError = true)]
        internal static unsafe partial nint RecvMsg(int fd, MessageHeader* message, int flags);
    }
}
