using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Sys
    {
        // fcntl.h: the same on x86-64 and arm64 except the three marked below.
        internal const int O_RDONLY = 0x0;
        internal const int O_WRONLY = 0x1;
        internal const int O_RDWR = 0x2;
        internal const int O_ACCMODE = 0x3;
        internal const int O_CREAT = 0x40;
        internal const int O_EXCL = 0x80;
        internal const int O_NOCTTY = 0x100;
        internal const int O_TRUNC = 0x200;
        internal const int O_APPEND = 0x400;
        internal const int O_NONBLOCK = 0x800;
        // x86-64 takes these from asm-generic; arm64's own fcntl.h moves them. The kernel hands FUSE a caller's open
        // flags in the native values too, so reading them depends on the architecture as much as passing them does.
        private static readonly bool s_arm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;
        internal static readonly int O_DIRECTORY = s_arm64 ? 0x4000 : 0x10000;
        internal static readonly int O_NOFOLLOW = s_arm64 ? 0x8000 : 0x20000;
        internal static readonly int O_DIRECT = s_arm64 ? 0x10000 : 0x4000;
        internal const int O_CLOEXEC = 0x80000;
        internal const int O_PATH = 0x200000;
        internal const int O_NOATIME = 0x40000;

        internal const int AT_FDCWD = -100;
        internal const int AT_SYMLINK_NOFOLLOW = 0x100;
        internal const int AT_REMOVEDIR = 0x200;
        internal const int AT_SYMLINK_FOLLOW = 0x400;
        internal const int AT_EMPTY_PATH = 0x1000;
        internal const int AT_STATX_SYNC_AS_STAT = 0;

        internal const uint S_IFMT = 0xF000;
        internal const uint S_IFDIR = 0x4000;
        internal const uint S_IFREG = 0x8000;
        internal const uint S_IFLNK = 0xA000;

        internal const int SEEK_SET = 0;
        internal const int SEEK_CUR = 1;
        internal const int SEEK_END = 2;
        internal const int SEEK_DATA = 3;
        internal const int SEEK_HOLE = 4;

        internal const int F_GETFD = 1;
        internal const int F_SETFD = 2;
        internal const int F_GETFL = 3;
        internal const int F_SETFL = 4;
        internal const int FD_CLOEXEC = 1;

        internal const uint RENAME_NOREPLACE = 1;
        internal const uint RENAME_EXCHANGE = 2;
        internal const uint RENAME_WHITEOUT = 4;

        internal const int MNT_DETACH = 2;
        internal const ulong MS_NOSUID = 2;
        internal const ulong MS_NODEV = 4;

        internal const int RLIMIT_NOFILE = 7;

        internal const int AF_UNIX = 1;
        internal const int SOCK_STREAM = 1;
        internal const int SOL_SOCKET = 1;
        internal const int SCM_RIGHTS = 1;
    }
}
