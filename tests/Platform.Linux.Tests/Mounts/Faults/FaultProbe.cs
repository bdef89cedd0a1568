using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Faults;

/// <summary>
/// What the fault tests observe a mount with: errno of plain libc calls, the daemon behind a mount point (from its
/// pid file), and waiting for a condition with a deadline rather than for a fixed time.
/// </summary>
internal static unsafe class FaultProbe
{
    /// <summary>How long a change made behind the mount's back may stay hidden: the entry and attribute timeouts are 1 s.</summary>
    public static readonly TimeSpan CacheDeadline = TimeSpan.FromSeconds(10);

    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds (true) or <paramref name="timeout"/> has passed (false).</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return condition();
            }

            Thread.Sleep(20);
        }

        return true;
    }

    /// <summary>stat(2), following symlinks: Success, or the errno it failed with.</summary>
    public static Errno StatError(string path) => Stat(path, out _);

    public static Errno Stat(string path, out Libc.Statx stat)
    {
        Libc.Statx buffer;
        var result = Libc.StatX(Libc.AT_FDCWD, path, 0, Libc.STATX_BASIC_STATS, &buffer);
        var error = result == 0 ? Errno.Success : (Errno)Libc.LastErrno;
        stat = buffer;
        return error;
    }

    /// <summary>open(2): the descriptor, or throws with the errno.</summary>
    public static int Open(string path, int flags, uint mode = 0x1A4)
    {
        var fd = Libc.Open(path, flags | Libc.O_CLOEXEC, mode);
        return fd >= 0 ? fd : throw new IOException($"open {path}: {(Errno)Libc.LastErrno}");
    }

    /// <summary>open(2): Success, or the errno it failed with (a descriptor it did open is closed).</summary>
    public static Errno OpenError(string path, int flags)
    {
        var fd = Libc.Open(path, flags | Libc.O_CLOEXEC, 0x1A4);
        if (fd < 0)
        {
            return (Errno)Libc.LastErrno;
        }

        Libc.Close(fd);
        return Errno.Success;
    }

    /// <summary>pread(2) until <paramref name="count"/> bytes or the end of the file; throws with the errno on failure.</summary>
    public static byte[] ReadAt(int fd, long offset, int count)
    {
        var buffer = new byte[count];
        var total = 0;
        fixed (byte* p = buffer)
        {
            while (total < count)
            {
                var done = Libc.PRead(fd, p + total, count - total, offset + total);
                if (done < 0)
                {
                    throw new IOException($"pread at {offset + total}: {(Errno)Libc.LastErrno}");
                }

                if (done == 0)
                {
                    break;
                }

                total += (int)done;
            }
        }

        return buffer[..total];
    }

    /// <summary>pwrite(2) of all of <paramref name="data"/>; throws with the errno on failure or a short write.</summary>
    public static void WriteAt(int fd, long offset, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var done = Libc.PWrite(fd, p, data.Length, offset);
            if (done != data.Length)
            {
                throw new IOException($"pwrite of {data.Length} at {offset}: {(done < 0 ? ((Errno)Libc.LastErrno).ToString() : $"short, {done}")}");
            }
        }
    }

    /// <summary>Every byte of the file at <paramref name="path"/>, read with plain read(2) to the end of the file (not up to a cached size).</summary>
    public static byte[] ReadFile(string path)
    {
        var fd = Open(path, Libc.O_RDONLY);
        try
        {
            using var all = new MemoryStream();
            for (long offset = 0; ; offset += 1 << 20)
            {
                var chunk = ReadAt(fd, offset, 1 << 20);
                all.Write(chunk);
                if (chunk.Length < 1 << 20)
                {
                    return all.ToArray();
                }
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>The names readdir(3) lists in <paramref name="path"/>, "." and ".." left out; throws with the errno on failure.</summary>
    public static List<string> List(string path)
    {
        var directory = Libc.OpenDir(path);
        if (directory == 0)
        {
            throw new IOException($"opendir {path}: {(Errno)Libc.LastErrno}");
        }

        try
        {
            return ReadNames(directory);
        }
        finally
        {
            Libc.CloseDir(directory);
        }
    }

    /// <summary>readdir(3) on an open directory stream to its end; throws with the errno if readdir fails.</summary>
    public static List<string> ReadNames(nint directory)
    {
        var names = new List<string>();
        while (true)
        {
            Marshal.SetLastPInvokeError(0);
            var entry = Libc.ReadDir(directory);
            if (entry is null)
            {
                var errno = Libc.LastErrno;
                return errno == 0 ? names : throw new IOException($"readdir: {(Errno)errno}");
            }

            var name = Marshal.PtrToStringUTF8((nint)((byte*)entry + Libc.Dirent.NameOffset))!;
            if (name is not ("." or ".."))
            {
                names.Add(name);
            }
        }
    }

    /// <summary>The pid file the daemon serving <paramref name="point"/> wrote (see README, Mounting).</summary>
    public static string PidFile(string point) => Path.Combine("/run/throttlefs", point.Trim('/').Replace('/', '-') + ".pid");

    /// <summary>The daemon serving <paramref name="point"/>, from its pid file, checked against its command line.</summary>
    public static Process Daemon(string point)
    {
        var pid = int.Parse(File.ReadAllText(PidFile(point)), CultureInfo.InvariantCulture);
        var arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
        Assert.True(arguments.Contains("mount") && arguments.Contains(point), $"pid {pid} from {PidFile(point)} is not the daemon of {point}: {string.Join(' ', arguments)}");
        return Process.GetProcessById(pid);
    }

    /// <summary>
    /// The daemon is alive and answering: its process runs, the mount point stats, <c>.throttlefs/stats</c> reads as
    /// JSON, and so does the <c>user.throttlefs.stats</c> attribute of <paramref name="file"/> (a path on the mount)
    /// when one is given.
    /// </summary>
    public static void AssertAlive(MountedFileSystem mount, string? file = null)
    {
        using var daemon = Daemon(mount.Point);
        Assert.False(daemon.HasExited, "the daemon has exited");
        Assert.Equal(Errno.Success, StatError(mount.Point));
        AssertStatistics(File.ReadAllText(mount.Control("stats")), "uptimeSeconds");

        if (file is not null)
        {
            AssertStatistics(GetAttribute(file, "user.throttlefs.stats"), "path");
        }
    }

    /// <summary>getxattr(2) of a text value; throws with the errno on failure.</summary>
    public static string GetAttribute(string path, string name)
    {
        var buffer = new byte[1 << 16];
        fixed (byte* p = buffer)
        {
            var length = Libc.GetXattr(path, name, p, buffer.Length);
            return length >= 0 ? System.Text.Encoding.UTF8.GetString(buffer, 0, (int)length) : throw new IOException($"getxattr {name} of {path}: {(Errno)Libc.LastErrno}");
        }
    }

    private static void AssertStatistics(string json, string property)
    {
        Assert.False(string.IsNullOrEmpty(json), "the statistics read empty");
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.True(document.RootElement.TryGetProperty(property, out _), json);
    }

    /// <summary>throttlefs unmount succeeds and leaves no mount behind.</summary>
    public static void AssertUnmounts(MountedFileSystem mount)
    {
        var result = Tool.ThrottleFs("unmount", mount.Point);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(Tool.IsMounted(mount.Point), $"{mount.Point} is still a mount point");
    }
}
