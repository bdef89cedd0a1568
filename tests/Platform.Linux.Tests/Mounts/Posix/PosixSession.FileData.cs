using System.Text;
using ThrottleFs.FileSystem;
using static ThrottleFs.Platform.Linux.Tests.Mounts.Libc;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Posix;

internal sealed unsafe partial class PosixSession
{
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
}
