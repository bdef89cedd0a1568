using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using ThrottleFs.FileSystem;
using static ThrottleFs.Platform.Linux.Tests.Mounts.Libc;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// What a stat step records besides type, permission bits, size, nlink, uid and gid: only fields the sequence
/// determines, since inode numbers and unset timestamps legitimately differ between the two directories.
/// </summary>
[Flags]
internal enum StatFields
{
    Basic = 0,

    /// <summary>atime and mtime to the nanosecond: only where the test set them.</summary>
    Times = 1,

    /// <summary>st_blocks: only where allocation is the point (holes, fallocate).</summary>
    Blocks = 2,

    /// <summary>Device numbers of a device node.</summary>
    Rdev = 4,

    /// <summary>Leaves st_size out: an absolute symlink's size is its target's length, which differs per run.</summary>
    NoSize = 8,
}

internal sealed record PosixStep(string Call, string Outcome);

/// <summary>
/// One run of a sequence in one directory. Each method makes one libc call (or a few, for the read/write-a-file
/// helpers), writes "call → outcome" into <see cref="Steps"/>, and checks the outcome against what the sequence
/// expects (success unless told otherwise; null accepts anything) so a premise that is wrong on the backing
/// store itself is reported as such rather than as a mount bug.
/// </summary>
internal sealed unsafe class PosixSession(string root, string backingRoot)
{
    private readonly List<int> _descriptors = [];

    public List<PosixStep> Steps { get; } = [];

    public List<string> Surprises { get; } = [];

    public string PathOf(string name) => name == "." ? root : Path.Combine(root, name);

    public void Note(string observation, object value) => Steps.Add(new PosixStep(observation, $"{value}"));

    public int Open(string name, int flags, uint mode = 0, Errno? expect = Errno.Success)
    {
        var fd = Libc.Open(PathOf(name), flags | O_CLOEXEC, mode);
        Record($"open({Display(name)}, {OpenFlags(flags)}, {Convert.ToString(mode, 8)})", fd, expect, static () => "a descriptor");
        if (fd >= 0)
        {
            _descriptors.Add(fd);
        }

        return fd;
    }

    public void Close(int fd)
    {
        if (fd < 0)
        {
            Steps.Add(new PosixStep("close", "no descriptor")); // keeps the two transcripts aligned when one open failed
            return;
        }

        _descriptors.Remove(fd);
        Record("close", Libc.Close(fd), Errno.Success);
    }

    public void CloseAll()
    {
        foreach (var fd in _descriptors)
        {
            Libc.Close(fd);
        }

        _descriptors.Clear();
    }

    public long PWrite(int fd, string text, long offset, Errno? expect = Errno.Success) => PWrite(fd, Encoding.UTF8.GetBytes(text), offset, expect);

    public long PWrite(int fd, byte[] data, long offset, Errno? expect = Errno.Success)
    {
        nint written;
        fixed (byte* p = data)
        {
            written = Libc.PWrite(fd, p, data.Length, offset);
        }

        return Record($"pwrite({Describe(data)} at {offset})", written, expect);
    }

    public long Write(int fd, string text, Errno? expect = Errno.Success)
    {
        var data = Encoding.UTF8.GetBytes(text);
        nint written;
        fixed (byte* p = data)
        {
            written = Libc.Write(fd, p, data.Length);
        }

        return Record($"write({Describe(data)})", written, expect);
    }

    public void Read(int fd, int count, Errno? expect = Errno.Success)
    {
        var buffer = new byte[count];
        nint read;
        fixed (byte* p = buffer)
        {
            read = Libc.Read(fd, p, count);
        }

        Record($"read({count})", read, expect, () => $"{read}: {Describe(buffer.AsSpan(0, (int)read))}");
    }

    public byte[] PRead(int fd, int count, long offset, Errno? expect = Errno.Success)
    {
        var buffer = new byte[count];
        nint read;
        fixed (byte* p = buffer)
        {
            read = Libc.PRead(fd, p, count, offset);
        }

        var data = read > 0 ? buffer[..(int)read] : [];
        Record($"pread({count} at {offset})", read, expect, () => $"{read}: {Describe(data)}");
        return data;
    }

    public long Seek(int fd, long offset, int whence, Errno? expect = Errno.Success) =>
        Record($"lseek({offset}, {Whence(whence)})", Libc.LSeek(fd, offset, whence), expect);

    public void Truncate(string name, long length, Errno? expect = Errno.Success) =>
        Record($"truncate({Display(name)}, {length})", Libc.Truncate(PathOf(name), length), expect);

    public void FTruncate(int fd, long length, Errno? expect = Errno.Success) =>
        Record($"ftruncate({length})", Libc.FTruncate(fd, length), expect);

    public void FSync(int fd, Errno? expect = Errno.Success) => Record("fsync", Libc.FSync(fd), expect);

    public void FDataSync(int fd, Errno? expect = Errno.Success) => Record("fdatasync", Libc.FDataSync(fd), expect);

    public void FAllocate(int fd, int mode, long offset, long length, Errno? expect = Errno.Success) =>
        Record($"fallocate(mode 0x{mode:x}, {offset}, {length})", Libc.FAllocate(fd, mode, offset, length), expect);

    /// <summary>copy_file_range until <paramref name="length"/> bytes are copied (it may copy less per call).</summary>
    public void CopyRange(int input, long? inputOffset, int output, long? outputOffset, long length, Errno? expect = Errno.Success)
    {
        var inOffset = inputOffset ?? 0;
        var outOffset = outputOffset ?? 0;
        long total = 0;
        nint copied;
        do
        {
            copied = Libc.CopyFileRange(
                input, inputOffset is null ? null : &inOffset, output, outputOffset is null ? null : &outOffset, (nint)(length - total), 0);
            if (copied > 0)
            {
                total += copied;
            }
        }
        while (copied > 0 && total < length);

        var call = $"copy_file_range({inputOffset?.ToString() ?? "position"} → {outputOffset?.ToString() ?? "position"}, {length})";
        var offsets = inputOffset is null ? "" : $", offsets now {inOffset} → {outOffset}";
        Record(call, copied < 0 && total == 0 ? -1 : total, expect, () => $"{total} copied{offsets}");
    }

    public void Mkdir(string name, uint mode, Errno? expect = Errno.Success) =>
        Record($"mkdir({Display(name)}, {Convert.ToString(mode, 8)})", Libc.MkDir(PathOf(name), mode), expect);

    public void Rmdir(string name, Errno? expect = Errno.Success) => Record($"rmdir({Display(name)})", Libc.RmDir(PathOf(name)), expect);

    public void Unlink(string name, Errno? expect = Errno.Success) => Record($"unlink({Display(name)})", Libc.Unlink(PathOf(name)), expect);

    public void Rename(string from, string to, Errno? expect = Errno.Success) =>
        Record($"rename({Display(from)}, {Display(to)})", Libc.Rename(PathOf(from), PathOf(to)), expect);

    public void Rename2(string from, string to, uint flags, Errno? expect = Errno.Success) =>
        Record($"renameat2({Display(from)}, {Display(to)}, {RenameFlags(flags)})", RenameAt2(AT_FDCWD, PathOf(from), AT_FDCWD, PathOf(to), flags), expect);

    public void Symlink(string target, string name, Errno? expect = Errno.Success) =>
        Record($"symlink({Display(Relative(target))}, {Display(name)})", Libc.Symlink(target, PathOf(name)), expect);

    public void ReadLink(string name, Errno? expect = Errno.Success)
    {
        var buffer = new byte[4096];
        nint length;
        fixed (byte* p = buffer)
        {
            length = Libc.ReadLink(PathOf(name), p, buffer.Length);
        }

        Record($"readlink({Display(name)})", length, expect, () => Display(Relative(Encoding.UTF8.GetString(buffer, 0, (int)length))));
    }

    public void Link(string existing, string name, Errno? expect = Errno.Success) =>
        Record($"link({Display(existing)}, {Display(name)})", Libc.Link(PathOf(existing), PathOf(name)), expect);

    public void MkNod(string name, uint mode, ulong device, Errno? expect = Errno.Success) =>
        Record($"mknod({Display(name)}, {Convert.ToString(mode, 8)}, 0x{device:x})", Libc.MkNod(PathOf(name), mode, device), expect);

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

    /// <summary>readdir: every name with its d_type, sorted (the order readdir returns is not specified).</summary>
    public void List(string name, Errno? expect = Errno.Success)
    {
        var directory = OpenDir(PathOf(name));
        if (directory == 0)
        {
            Record($"readdir({Display(name)})", -1, expect);
            return;
        }

        var entries = new List<string>();
        Dirent* entry;
        while ((entry = ReadDir(directory)) != null)
        {
            var entryName = Marshal.PtrToStringUTF8((nint)((byte*)entry + Dirent.NameOffset))!;
            entries.Add($"{Display(entryName)}:{DirentType(entry->Type)}");
        }

        var errno = Libc.LastErrno;
        CloseDir(directory);
        entries.Sort(StringComparer.Ordinal);
        Marshal.SetLastPInvokeError(errno);
        Record($"readdir({Display(name)})", errno == 0 ? entries.Count : -1, expect, () => $"{entries.Count} entries: {string.Join(' ', entries)}");
    }

    /// <summary>With <paramref name="noFollow"/>, the l- variant: the attributes of a symlink itself.</summary>
    public void SetXattr(string name, string attribute, string value, int flags, Errno? expect = Errno.Success, bool noFollow = false)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        int result;
        fixed (byte* v = bytes)
        {
            result = noFollow ? LSetXattr(PathOf(name), attribute, v, bytes.Length, flags) : Libc.SetXattr(PathOf(name), attribute, v, bytes.Length, flags);
        }

        Record($"{(noFollow ? "l" : "")}setxattr({Display(name)}, {attribute}, {Describe(bytes)}, flags {flags})", result, expect);
    }

    public void GetXattr(string name, string attribute, int size, Errno? expect = Errno.Success, bool noFollow = false)
    {
        var buffer = new byte[size];
        nint length;
        fixed (byte* v = buffer)
        {
            length = noFollow
                ? LGetXattr(PathOf(name), attribute, size == 0 ? null : v, size)
                : Libc.GetXattr(PathOf(name), attribute, size == 0 ? null : v, size);
        }

        Record($"{(noFollow ? "l" : "")}getxattr({Display(name)}, {attribute}, size {size})", length, expect, () => size == 0 ? $"{length}" : $"{length}: {Describe(buffer.AsSpan(0, (int)length))}");
    }

    public void ListXattr(string name, int size, Errno? expect = Errno.Success, bool noFollow = false)
    {
        var buffer = new byte[size];
        nint length;
        fixed (byte* l = buffer)
        {
            length = noFollow ? LListXattr(PathOf(name), size == 0 ? null : l, size) : Libc.ListXattr(PathOf(name), size == 0 ? null : l, size);
        }

        Record($"{(noFollow ? "l" : "")}listxattr({Display(name)}, size {size})", length, expect, () =>
        {
            if (size == 0)
            {
                return $"{length}";
            }

            var names = Encoding.UTF8.GetString(buffer, 0, (int)length).Split('\0', StringSplitOptions.RemoveEmptyEntries);
            Array.Sort(names, StringComparer.Ordinal);
            return $"{length}: {string.Join(' ', names)}";
        });
    }

    public void RemoveXattr(string name, string attribute, Errno? expect = Errno.Success) =>
        Record($"removexattr({Display(name)}, {attribute})", Libc.RemoveXattr(PathOf(name), attribute), expect);

    public void WriteFile(string name, string text) => WriteFile(name, Encoding.UTF8.GetBytes(text));

    public void WriteFile(string name, byte[] data)
    {
        var fd = Open(name, O_CREAT | O_WRONLY | O_TRUNC, 0x1A4); // 0644
        PWrite(fd, data, 0);
        Close(fd);
    }

    public byte[] ReadFile(string name)
    {
        var fd = Open(name, O_RDONLY);
        var content = new MemoryStream();
        var buffer = new byte[1 << 20];
        nint read = 0;
        if (fd >= 0)
        {
            fixed (byte* p = buffer)
            {
                while ((read = Libc.PRead(fd, p, buffer.Length, content.Length)) > 0)
                {
                    content.Write(buffer, 0, (int)read);
                }
            }
        }

        var data = content.ToArray();
        Record($"read all of {Display(name)}", fd < 0 ? -1 : read, Errno.Success, () => Describe(data));
        Close(fd);
        return data;
    }

    /// <summary>The file as the backing store holds it, bypassing the mount for the mounted run.</summary>
    public byte[] ReadBacking(string name)
    {
        var data = File.ReadAllBytes(Path.Combine(backingRoot, name));
        Steps.Add(new PosixStep($"the backing store's {Display(name)}", Describe(data)));
        return data;
    }

    private static string Display(string name) => name.Length > 40 ? $"{name[0]}×{name.Length}" : name;

    private static string OpenFlags(int flags)
    {
        var names = new List<string> { (flags & 3) switch { O_WRONLY => "O_WRONLY", O_RDWR => "O_RDWR", _ => "O_RDONLY" } };
        foreach (var (flag, flagName) in new[]
        {
            (O_CREAT, "O_CREAT"), (O_EXCL, "O_EXCL"), (O_TRUNC, "O_TRUNC"), (O_APPEND, "O_APPEND"),
            (O_DIRECT, "O_DIRECT"), (O_DIRECTORY, "O_DIRECTORY"), (O_NOFOLLOW, "O_NOFOLLOW"),
        })
        {
            if ((flags & flag) != 0)
            {
                names.Add(flagName);
            }
        }

        return string.Join('|', names);
    }

    private static string Whence(int whence) => whence switch
    {
        SEEK_SET => "SEEK_SET",
        SEEK_CUR => "SEEK_CUR",
        SEEK_END => "SEEK_END",
        SEEK_DATA => "SEEK_DATA",
        SEEK_HOLE => "SEEK_HOLE",
        _ => $"{whence}",
    };

    private static string RenameFlags(uint flags) =>
        flags == 0 ? "0" : string.Join('|', new[] { (RENAME_NOREPLACE, "RENAME_NOREPLACE"), (RENAME_EXCHANGE, "RENAME_EXCHANGE") }
            .Where(f => (flags & f.Item1) != 0).Select(f => f.Item2));

    private static string AccessMask(int mask) =>
        mask == F_OK ? "F_OK" : string.Join('|', new[] { (R_OK, "R_OK"), (W_OK, "W_OK"), (X_OK, "X_OK") }.Where(m => (mask & m.Item1) != 0).Select(m => m.Item2));

    private static string DirentType(byte type) => type switch
    {
        1 => "fifo",
        2 => "chr",
        4 => "dir",
        6 => "blk",
        8 => "reg",
        10 => "lnk",
        12 => "sock",
        0 => "unknown",
        _ => $"type{type}",
    };

    private static string FileType(uint mode) => (mode & S_IFMT) switch
    {
        S_IFREG => "reg",
        S_IFDIR => "dir",
        S_IFLNK => "lnk",
        S_IFIFO => "fifo",
        S_IFCHR => "chr",
        _ => $"type 0x{mode & S_IFMT:x}",
    };

    // An absolute path into this run's directory is written relative to it, so the two runs read the same.
    private string Relative(string path) => path.StartsWith(root + "/", StringComparison.Ordinal) ? $"<dir>/{path[(root.Length + 1)..]}" : path;

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

    // Reads errno first: nothing else may run a P/Invoke between the call and this.
    private long Record(string call, long result, Errno? expect, Func<string>? success = null)
    {
        var errno = result < 0 ? Libc.LastErrno : 0;
        var outcome = result < 0 ? $"-1 {ErrnoText(errno)}" : success?.Invoke() ?? $"{result}";
        Steps.Add(new PosixStep(call, outcome));
        if (expect is { } wanted && (wanted == Errno.Success ? result < 0 : errno != (int)wanted))
        {
            Surprises.Add($"{call}: expected {(wanted == Errno.Success ? "success" : wanted)}, got {outcome}");
        }

        return result;
    }

    internal static string ErrnoText(int errno) =>
        Enum.IsDefined((Errno)errno) ? $"{(Errno)errno} ({errno})" : $"errno {errno}";

    internal static string Describe(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= 48 && bytes.IndexOfAnyInRange((byte)1, (byte)31) < 0 && bytes.IndexOfAnyInRange((byte)127, (byte)255) < 0)
        {
            return $"\"{Encoding.ASCII.GetString(bytes).Replace("\0", "\\0", StringComparison.Ordinal)}\"";
        }

        return $"{bytes.Length} bytes, sha256 {Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}";
    }
}
