using System.Runtime.InteropServices;
using System.Text;
using ThrottleFs.FileSystem;
using static ThrottleFs.Platform.Linux.Tests.Mounts.Libc;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Posix;

internal sealed unsafe partial class PosixSession
{
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

    private static string RenameFlags(uint flags) =>
        flags == 0 ? "0" : string.Join('|', new[] { (RENAME_NOREPLACE, "RENAME_NOREPLACE"), (RENAME_EXCHANGE, "RENAME_EXCHANGE") }
            .Where(f => (flags & f.Item1) != 0).Select(f => f.Item2));

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
}
