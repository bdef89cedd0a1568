using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Splicing;

/// <summary>
/// A pipe that carries one READ reply to /dev/fuse: its header, written in, then its data, spliced in from the backing
/// file as references to the page cache's pages. Spliced on to the device, the pages are copied once, straight into the
/// caller's memory; read and written back, as without the pipe, they would be copied twice.
/// </summary>
internal sealed unsafe class SplicePipe : IDisposable
{
    // A header and 1 MiB of data that starts anywhere in a page take 258 of a pipe's page-sized slots, and a pipe's size
    // is a power of two: 2 MiB. Above fs.pipe-max-size (1 MiB by default), only a process with CAP_SYS_RESOURCE may
    // have it; without, the pipe holds 1 MiB, and a 1 MiB reply does not fit.
    private static readonly int[] Sizes = [2 << 20, 1 << 20];
    private static readonly int PageSize = Environment.SystemPageSize;

    private readonly int _read;
    private readonly int _write;

    private SplicePipe(int read, int write, int size)
    {
        _read = read;
        _write = write;
        Slots = size / PageSize;
    }

    /// <summary>How many page-sized buffers the pipe holds: a reply's header takes one, its data one per page it touches.</summary>
    public int Slots { get; }

    /// <summary>A new pipe, as large as this process may make one, or the error that refused it.</summary>
    public static Errno TryCreate(out SplicePipe? pipe)
    {
        pipe = null;
        var fds = stackalloc int[2];
        if (Pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0)
        {
            return LastError;
        }

        // Non-blocking: a pipe that is somehow full fails the splice (and the reply is copied) instead of stalling.
        var error = Errno.Success;
        foreach (var size in Sizes)
        {
            var set = Fcntl(fds[1], F_SETPIPE_SZ, size);
            if (set >= size)
            {
                pipe = new SplicePipe(fds[0], fds[1], set);
                return Errno.Success;
            }

            error = set < 0 ? LastError : Errno.ENOMEM;
        }

        Close(fds[0]);
        Close(fds[1]);
        return error;
    }

    /// <summary>Whether a reply's header and <paramref name="length"/> bytes from file offset <paramref name="offset"/> fit.</summary>
    public bool Fits(long offset, int length) => Fits(Slots, offset, length);

    /// <summary>Whether a reply's header and its data fit in a pipe of <paramref name="slots"/> slots.</summary>
    public static bool Fits(int slots, long offset, int length) => 1 + (((offset % PageSize) + length + PageSize - 1) / PageSize) <= slots;

    /// <summary>Writes <paramref name="bytes"/> (a header: less than a page) into the pipe, whole or not at all.</summary>
    public bool TryWrite(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes)
        {
            nint written;
            while ((written = Write(_write, p, bytes.Length)) < 0 && LastError == Errno.EINTR)
            {
            }

            return written == bytes.Length;
        }
    }

    /// <summary>
    /// Splices up to <paramref name="length"/> bytes of <paramref name="fd"/> from <paramref name="offset"/> into the
    /// pipe: all of them, fewer at the end of the file, or an error (with what came before it counted, as pread loops do).
    /// </summary>
    public IoResult Fill(int fd, long offset, int length)
    {
        long total = 0;
        while (total < length)
        {
            var spliced = Splice(fd, &offset, _write, null, length - (nint)total, 0);
            if (spliced > 0)
            {
                total += spliced;
                continue;
            }

            if (spliced == 0)
            {
                break; // end of file
            }

            var error = LastError;
            if (error == Errno.EINTR)
            {
                continue;
            }

            return total > 0 ? IoResult.Done(total) : IoResult.Failed(error);
        }

        return IoResult.Done(total);
    }

    /// <summary>Reads exactly <paramref name="length"/> bytes out of the pipe into <paramref name="destination"/>.</summary>
    public bool TryDrain(byte* destination, int length)
    {
        var total = 0;
        while (total < length)
        {
            var read = Read(_read, destination + total, length - total);
            if (read > 0)
            {
                total += (int)read;
            }
            else if (read == 0 || LastError != Errno.EINTR)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Splices the pipe's first <paramref name="length"/> bytes to <paramref name="fd"/>. The FUSE device takes a whole
    /// reply in one call or fails it.
    /// </summary>
    public Errno SpliceTo(int fd, int length)
    {
        long total = 0;
        while (total < length)
        {
            var spliced = Splice(_read, null, fd, null, length - (nint)total, 0);
            if (spliced > 0)
            {
                total += spliced;
                continue;
            }

            var error = spliced == 0 ? Errno.EIO : LastError;
            if (error != Errno.EINTR)
            {
                return error;
            }
        }

        return Errno.Success;
    }

    public void Dispose()
    {
        Close(_read);
        Close(_write);
    }
}
