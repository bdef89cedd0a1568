using System.Buffers;
using System.Collections.Concurrent;
using ThrottleFs.Configuration;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Control;

/// <summary>
/// The control files and directory listings open now, by handle, numbered from the start of the layers' range
/// (<see cref="FileSystemIds.FirstLayerHandle"/>). A reader sees the content rendered when it opened the file, one
/// consistent snapshot however it reads. A writer's bytes are a stream of lines: each complete line is run as it
/// arrives, however the writes cut them (cat writes 128 KiB at a time, the kernel splits large writes), and a last
/// line without its newline runs when the file is closed. The first refused line fails its write and every later
/// one on the same handle, so nothing after it runs.
/// </summary>
internal sealed class OpenControlFiles(ControlPanel panel)
{
    /// <summary>The longest line taken: commands are short, and a path is at most 4 KiB.</summary>
    public const int MaxLine = 64 * 1024;

    private readonly ConcurrentDictionary<ulong, OpenControlFile> _open = new();
    private long _opened;

    /// <summary>Whether <paramref name="handle"/> is one of ours rather than the filesystem's.</summary>
    public static bool Owns(ulong handle) => !FileSystemIds.IsFileSystemHandle(handle);

    /// <summary>Opens a control file (or, with null, the directory for listing); <paramref name="who"/> is named in the log.</summary>
    public ulong Open(ControlFile? file, bool writing, string who)
    {
        var handle = FileSystemIds.FirstLayerHandle + (ulong)Interlocked.Increment(ref _opened);
        var content = file is { } readable && !writing ? panel.Render(readable) : [];
        _open[handle] = new OpenControlFile(file, writing, content, who);
        return handle;
    }

    public IoResult Read(ulong handle, long offset, Span<byte> destination)
    {
        if (!_open.TryGetValue(handle, out var open))
        {
            return IoResult.Failed(Errno.EBADF);
        }

        var content = open.Content;
        var count = offset >= content.Length ? 0 : (int)Math.Min(content.Length - offset, destination.Length);
        content.AsSpan((int)Math.Min(offset, content.Length), count).CopyTo(destination);
        return IoResult.Done(count);
    }

    public IoResult Write(ulong handle, ReadOnlySpan<byte> source)
    {
        if (!_open.TryGetValue(handle, out var open) || open.File != ControlFile.Control || !open.Writing)
        {
            return IoResult.Failed(Errno.EBADF); // as write(2) on a descriptor not open for writing
        }

        lock (open)
        {
            if (open.Refused)
            {
                return IoResult.Failed(Errno.EINVAL);
            }

            open.Pending.Write(source);
            var pending = open.Pending.WrittenSpan;
            var complete = pending[..(pending.LastIndexOf((byte)'\n') + 1)];

            // Every complete line up to the first one over the limit runs; that one is refused whatever the cuts were.
            var runnable = complete;
            for (var start = 0; start < complete.Length;)
            {
                var length = complete[start..].IndexOf((byte)'\n');
                if (length > MaxLine)
                {
                    runnable = complete[..start];
                    break;
                }

                start += length + 1;
            }

            var overlong = runnable.Length < complete.Length;
            var lines = PathText.Decode(runnable);
            var rest = pending[complete.Length..].ToArray();
            open.Pending.Clear();
            open.Pending.Write(rest);
            if (lines.Length > 0 && !Run(open, lines))
            {
                return IoResult.Failed(Errno.EINVAL);
            }

            return overlong || rest.Length > MaxLine ? RefuseOverlong(open) : IoResult.Done(source.Length);
        }
    }

    /// <summary>A close: runs a last line written without its newline; EINVAL (close(2) reports it) when it is refused.</summary>
    public Errno Flush(ulong handle)
    {
        if (!_open.TryGetValue(handle, out var open) || !open.Writing)
        {
            return Errno.Success;
        }

        lock (open)
        {
            if (open.Pending.WrittenCount == 0 || open.Refused)
            {
                return Errno.Success;
            }

            var line = PathText.Decode(open.Pending.WrittenSpan);
            open.Pending.Clear();
            return Run(open, line) ? Errno.Success : Errno.EINVAL;
        }
    }

    public Errno Release(ulong handle)
    {
        var known = false;
        try
        {
            Flush(handle); // a close without a flush: the line still runs, and a refusal is in the errors file
        }
        finally
        {
            known = _open.TryRemove(handle, out _);
        }

        return known ? Errno.Success : Errno.EBADF;
    }

    private bool Run(OpenControlFile open, string lines)
    {
        open.Refused = !panel.Execute(lines, open.Who);
        return !open.Refused;
    }

    private IoResult RefuseOverlong(OpenControlFile open)
    {
        panel.Refuse($"a control line of more than {MaxLine} bytes", open.Who, [$"a command is one short line ({ControlCommand.Usage})"]);
        open.Refused = true;
        return IoResult.Failed(Errno.EINVAL);
    }

    // Guarded by locking the instance: one writer's lines run in order.
    private sealed class OpenControlFile(ControlFile? file, bool writing, byte[] content, string who)
    {
        public ControlFile? File { get; } = file;

        public bool Writing { get; } = writing;

        public byte[] Content { get; } = content;

        public string Who { get; } = who;

        public ArrayBufferWriter<byte> Pending { get; } = new();

        public bool Refused { get; set; }
    }
}
