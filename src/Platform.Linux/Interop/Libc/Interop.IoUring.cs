using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Sys
    {
        // io_uring has no glibc wrappers; its three system calls have the same numbers on every architecture.
        internal const long SYS_io_uring_setup = 425;
        internal const long SYS_io_uring_enter = 426;

        internal const uint IORING_SETUP_CQSIZE = 0x8;
        internal const uint IORING_SETUP_COOP_TASKRUN = 0x100;
        internal const uint IORING_SETUP_TASKRUN_FLAG = 0x200;
        internal const uint IORING_SETUP_SQE128 = 0x400;
        internal const uint IORING_SQ_TASKRUN = 0x4;
        internal const uint IORING_FEAT_SINGLE_MMAP = 0x1;
        internal const uint IORING_ENTER_GETEVENTS = 0x1;
        internal const long IORING_OFF_SQ_RING = 0;
        internal const long IORING_OFF_CQ_RING = 0x8000000;
        internal const long IORING_OFF_SQES = 0x10000000;
        internal const byte IORING_OP_READ = 22;
        internal const byte IORING_OP_URING_CMD = 46;

        internal const int PROT_READ = 0x1;
        internal const int PROT_WRITE = 0x2;
        internal const int MAP_SHARED = 0x1;
        internal const int MAP_POPULATE = 0x8000;
        internal const int EFD_CLOEXEC = 0x80000;

        /// <summary>struct io_sqring_offsets (linux/io_uring.h).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct IoSqringOffsets
        {
            public uint Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Resv1;
            public ulong Resv2;
        }

        /// <summary>struct io_cqring_offsets (linux/io_uring.h).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct IoCqringOffsets
        {
            public uint Head, Tail, RingMask, RingEntries, Overflow, Cqes, Flags, Resv1;
            public ulong Resv2;
        }

        /// <summary>struct io_uring_params (linux/io_uring.h), 120 bytes.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct IoUringParams
        {
            public uint SqEntries, CqEntries, Flags, SqThreadCpu, SqThreadIdle, Features, WqFd;
            public fixed uint Resv[3];
            public IoSqringOffsets SqOff;
            public IoCqringOffsets CqOff;
        }

        /// <summary>
        /// struct io_uring_sqe (linux/io_uring.h) with IORING_SETUP_SQE128: 64 bytes, then 64 more of command area. Only
        /// the fields a FUSE queue fills are named; cmd_op shares offset 8 with off, and the command starts at 48.
        /// </summary>
        [StructLayout(LayoutKind.Explicit, Size = 128)]
        internal unsafe struct IoUringSqe
        {
            [FieldOffset(0)] public byte Opcode;
            [FieldOffset(4)] public int Fd;
            [FieldOffset(8)] public uint CmdOp;
            [FieldOffset(16)] public ulong Addr;
            [FieldOffset(24)] public uint Len;
            [FieldOffset(32)] public ulong UserData;
            [FieldOffset(48)] public fixed byte Command[80];

            /// <summary>An IORING_OP_READ of <paramref name="length"/> bytes from <paramref name="fd"/> (liburing's io_uring_prep_read).</summary>
            public void PrepareRead(int fd, void* buffer, uint length, ulong userData)
            {
                Opcode = IORING_OP_READ;
                Fd = fd;
                Addr = (ulong)buffer;
                Len = length;
                UserData = userData;
            }
        }

        /// <summary>struct io_uring_cqe (linux/io_uring.h), 16 bytes.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct IoUringCqe
        {
            public ulong UserData;
            public int Res;
            public uint Flags;
        }

        /// <summary>syscall(2) with up to six integer arguments. Returns the call's result, or −1 with errno set.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
        internal static partial long Syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

        [LibraryImport(Libraries.Libc, EntryPoint = "mmap", SetLastError = true)]
        internal static unsafe partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

        [LibraryImport(Libraries.Libc, EntryPoint = "munmap", SetLastError = true)]
        internal static unsafe partial int Munmap(void* address, nuint length);

        /// <summary>eventfd(2): a counter other threads write to wake a ring that reads it.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "eventfd", SetLastError = true)]
        internal static partial int EventFd(uint initial, int flags);
    }
}
