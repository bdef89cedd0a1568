using System.Text;
using ThrottleFs.FileSystem;
using static ThrottleFs.Platform.Linux.Tests.Mounts.Libc;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Posix;

internal sealed unsafe partial class PosixSession
{
    public void Chmod(string name, uint mode, Errno? expect = Errno.Success) =>
        Record($"chmod({Display(name)}, {Convert.ToString(mode, 8)})", ChMod(PathOf(name), mode), expect);

    public void Chown(string name, uint uid, uint gid, Errno? expect = Errno.Success) =>
        Record($"chown({Display(name)}, {(int)uid}, {(int)gid})", ChOwn(PathOf(name), uid, gid), expect);

    public void LChown(string name, uint uid, uint gid, Errno? expect = Errno.Success) =>
        Record($"lchown({Display(name)}, {(int)uid}, {(int)gid})", LChOwn(PathOf(name), uid, gid), expect);

    public void Utimens(string name, TimeSpec atime, TimeSpec mtime, int flags = 0, Errno? expect = Errno.Success)
    {
        var times = stackalloc TimeSpec[2] { atime, mtime };
        Record(
            $"utimensat({Display(name)}, atime {Time(atime)}, mtime {Time(mtime)}, flags 0x{flags:x})",
            UTimensAt(AT_FDCWD, PathOf(name), times, flags),
            expect);

        static string Time(TimeSpec t) => t.Nanoseconds switch
        {
            UTIME_NOW => "UTIME_NOW",
            UTIME_OMIT => "UTIME_OMIT",
            _ => $"{t.Seconds}.{t.Nanoseconds:D9}",
        };
    }

    public void Access(string name, int mask, Errno? expect = Errno.Success) =>
        Record($"access({Display(name)}, {AccessMask(mask)})", Libc.Access(PathOf(name), mask), expect);

    public Statx Stat(string name, StatFields show = StatFields.Basic, Errno? expect = Errno.Success) => StatAt(AT_FDCWD, PathOf(name), 0, $"stat({Display(name)})", show, expect);

    public Statx Lstat(string name, StatFields show = StatFields.Basic, Errno? expect = Errno.Success) =>
        StatAt(AT_FDCWD, PathOf(name), AT_SYMLINK_NOFOLLOW, $"lstat({Display(name)})", show, expect);

    public Statx Fstat(int fd, StatFields show = StatFields.Basic, Errno? expect = Errno.Success) => StatAt(fd, "", AT_EMPTY_PATH, "fstat", show, expect);

    private static string AccessMask(int mask) =>
        mask == F_OK ? "F_OK" : string.Join('|', new[] { (R_OK, "R_OK"), (W_OK, "W_OK"), (X_OK, "X_OK") }.Where(m => (mask & m.Item1) != 0).Select(m => m.Item2));

    private static string FileType(uint mode) => (mode & S_IFMT) switch
    {
        S_IFREG => "reg",
        S_IFDIR => "dir",
        S_IFLNK => "lnk",
        S_IFIFO => "fifo",
        S_IFCHR => "chr",
        _ => $"type 0x{mode & S_IFMT:x}",
    };

    private Statx StatAt(int fd, string path, int flags, string call, StatFields show, Errno? expect)
    {
        Statx stx;
        var result = StatX(fd, path, flags, STATX_BASIC_STATS, &stx);
        var found = stx;
        Record(call, result, expect, () =>
        {
            var text = new StringBuilder($"{FileType(found.Mode)} {Convert.ToString(found.Mode & 0xFFF, 8).PadLeft(4, '0')} {((show & StatFields.NoSize) != 0 ? "" : $"size {found.Size} ")}nlink {found.Nlink} uid {found.Uid} gid {found.Gid}");
            if ((show & StatFields.Times) != 0)
            {
                text.Append($" atime {found.Atime.Seconds}.{found.Atime.Nanoseconds:D9} mtime {found.Mtime.Seconds}.{found.Mtime.Nanoseconds:D9}");
            }

            if ((show & StatFields.Blocks) != 0)
            {
                text.Append($" blocks {found.Blocks}");
            }

            if ((show & StatFields.Rdev) != 0)
            {
                text.Append($" rdev {found.RdevMajor}:{found.RdevMinor}");
            }

            return text.ToString();
        });
        return result == 0 ? found : default;
    }
}
