using System.Collections.Concurrent;
using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Control;

/// <summary>
/// The control files and directory listings open now, by handle, numbered from the start of the layers' range
/// (<see cref="FileSystemIds.FirstLayerHandle"/>). A reader sees the content rendered when it opened the file, one
/// consistent snapshot however it reads; what a writer writes to <c>control</c> is run line by line.
/// </summary>
internal sealed class OpenControlFiles(ControlPanel panel)
{
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

        // Each write is a batch of whole lines: shells and `throttlefs set` write a command and its newline at once.
        return panel.Execute(Encoding.UTF8.GetString(source), open.Who) ? IoResult.Done(source.Length) : IoResult.Failed(Errno.EINVAL);
    }

    public Errno Release(ulong handle) => _open.TryRemove(handle, out _) ? Errno.Success : Errno.EBADF;

    private sealed record OpenControlFile(ControlFile? File, bool Writing, byte[] Content, string Who);
}
