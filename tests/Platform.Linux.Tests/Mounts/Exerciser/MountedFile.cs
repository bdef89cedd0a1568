using static ThrottleFs.Platform.Linux.Tests.Mounts.Libc;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>
/// One exercised file: open through the mount with the run's flags, and known by its path on the backing store
/// too, so its size and bytes can be read from both sides. Closed on Dispose, before the mount goes.
/// </summary>
internal sealed unsafe class MountedFile : IDisposable
{
    private readonly int _flags;

    public MountedFile(string path, string backingPath, int flags)
    {
        Path = path;
        BackingPath = backingPath;
        _flags = flags;
        Fd = OpenOrThrow();
    }

    public string Path { get; }

    public string BackingPath { get; }

    public int Fd { get; private set; }

    /// <summary>close, then open again with the same flags, and O_TRUNC if asked.</summary>
    public Outcome Reopen(bool truncate)
    {
        var fd = Fd;
        Fd = -1;
        if (Close(fd) < 0)
        {
            return Outcome.Failed(LastErrno, "close");
        }

        Fd = Open(Path, _flags | (truncate ? O_TRUNC : 0), 0);
        return Fd < 0 ? Outcome.Failed(LastErrno, "open") : Outcome.Done(0);
    }

    /// <summary>st_size through the mount (fstat of the open file), or -1 with errno.</summary>
    public Outcome SizeOnMount() => SizeOf(Fd, "", AT_EMPTY_PATH);

    /// <summary>st_size of the backing file, bypassing the mount.</summary>
    public Outcome SizeOnBacking() => SizeOf(AT_FDCWD, BackingPath, 0);

    /// <summary>
    /// The whole file through the mount, read with pread from the open file into <paramref name="buffer"/> until
    /// it ends; a file longer than the buffer fills it, which no model allows.
    /// </summary>
    public Outcome ReadWhole(AlignedBuffer buffer)
    {
        long total = 0;
        while (total < buffer.Length)
        {
            var read = PRead(Fd, buffer.Pointer + total, (nint)(buffer.Length - total), total);
            if (read < 0)
            {
                return Outcome.Failed(LastErrno, $"pread at {total}");
            }

            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return Outcome.Done(total);
    }

    public void Dispose()
    {
        if (Fd >= 0)
        {
            Close(Fd);
            Fd = -1;
        }
    }

    private int OpenOrThrow()
    {
        var fd = Open(Path, _flags, 0);
        return fd >= 0 ? fd : throw new IOException($"open {Path}: {Outcome.ErrnoName(LastErrno)}");
    }

    private static Outcome SizeOf(int dirFd, string path, int flags)
    {
        Statx stat;
        return StatX(dirFd, path, flags, STATX_SIZE, &stat) < 0 ? Outcome.Failed(LastErrno, "statx") : Outcome.Done((long)stat.Size);
    }
}
