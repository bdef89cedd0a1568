using System.Runtime.CompilerServices;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Tests.FileSystem;

/// <summary>
/// An <see cref="IFileSystem"/> that records every call, by member name with its arguments (input spans copied,
/// output spans by length, everything else as passed), and answers each with results no layer would make up: errno
/// EXDEV, node 77, handle 55, 42 bytes, and fixed bytes written into every output buffer and directory writer.
/// </summary>
internal sealed class RecordingFileSystem : IFileSystem
{
    public const Errno Result = Errno.EXDEV;

    public static readonly NodeAttributes Attributes = default(NodeAttributes) with { Inode = 77, Size = 1234, Mode = FileModes.RegularFile | 0x1A4, Links = 3 };

    public static readonly EntryInfo Entry = new(77, Attributes);

    public static readonly OpenedFile Opened = new(55, DirectIo: true);

    public static readonly IoResult Transferred = IoResult.Done(42);

    public static readonly VolumeStatistics Volume = new(1, 2, 3, 4, 5, 6, 7, 8);

    public List<RecordedCall> Calls { get; } = [];

    public string? PathOf(ulong node) => Record<string?>("recorded/path", [node]);

    public Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out EntryInfo entry)
    {
        entry = Entry;
        return Record([parent, name.ToArray()]);
    }

    public void Forget(ulong node, ulong lookups) => Record([node, lookups]);

    public Errno GetAttributes(ulong node, ulong? handle, out NodeAttributes attributes)
    {
        attributes = Attributes;
        return Record([node, handle]);
    }

    public Errno SetAttributes(ulong node, in AttributeChanges changes, out NodeAttributes attributes)
    {
        attributes = Attributes;
        return Record([node, changes]);
    }

    public Errno RemovePrivileges(in RequestContext context, ulong node, out bool removed)
    {
        removed = true;
        return Record([context, node]);
    }

    public Errno ReadLink(ulong node, Span<byte> target, out int length)
    {
        length = Fill(target, "target"u8);
        return Record([node, target.Length]);
    }

    public Errno MakeNode(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, uint rdev, out EntryInfo entry)
    {
        entry = Entry;
        return Record([context, parent, name.ToArray(), mode, rdev]);
    }

    public Errno MakeDirectory(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, out EntryInfo entry)
    {
        entry = Entry;
        return Record([context, parent, name.ToArray(), mode]);
    }

    public Errno Symlink(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out EntryInfo entry)
    {
        entry = Entry;
        return Record([context, parent, name.ToArray(), target.ToArray()]);
    }

    public Errno Link(ulong node, ulong newParent, ReadOnlySpan<byte> newName, out EntryInfo entry)
    {
        entry = Entry;
        return Record([node, newParent, newName.ToArray()]);
    }

    public Errno Unlink(ulong parent, ReadOnlySpan<byte> name) => Record([parent, name.ToArray()]);

    public Errno RemoveDirectory(ulong parent, ReadOnlySpan<byte> name) => Record([parent, name.ToArray()]);

    public Errno Rename(ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, RenameFlags flags) =>
        Record([parent, name.ToArray(), newParent, newName.ToArray(), flags]);

    public Errno Open(in RequestContext context, ulong node, int flags, out OpenedFile file)
    {
        file = Opened;
        return Record([context, node, flags]);
    }

    public Errno Create(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, int flags, uint mode, out EntryInfo entry, out OpenedFile file)
    {
        (entry, file) = (Entry, Opened);
        return Record([context, parent, name.ToArray(), flags, mode]);
    }

    public ValueTask<IoResult> ReadAsync(ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        Fill(destination.Span, "read"u8);
        return new(Record(Transferred, [handle, offset, destination, cancellationToken]));
    }

    public ValueTask<IoResult> WriteAsync(ulong handle, long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken) =>
        new(Record(Transferred, [handle, offset, source, cancellationToken]));

    public ValueTask<IoResult> CopyFileRangeAsync(ulong handleIn, long offsetIn, ulong handleOut, long offsetOut, long length, CancellationToken cancellationToken) =>
        new(Record(Transferred, [handleIn, offsetIn, handleOut, offsetOut, length, cancellationToken]));

    public Errno Flush(ulong handle) => Record([handle]);

    public Errno Release(ulong handle) => Record([handle]);

    public Errno Fsync(ulong handle, bool dataOnly) => Record([handle, dataOnly]);

    public Errno Allocate(ulong handle, int mode, long offset, long length) => Record([handle, mode, offset, length]);

    public Errno Seek(ulong handle, long offset, int whence, out long result)
    {
        result = 9999;
        return Record([handle, offset, whence]);
    }

    public Errno OpenDirectory(ulong node, out OpenedFile directory)
    {
        directory = Opened;
        return Record([node]);
    }

    public Errno ReadDirectory(ulong handle, long offset, IDirectoryWriter writer)
    {
        writer.TryAdd("entry"u8, 77, FileModes.EntryType(FileModes.RegularFile), offset + 1, Entry);
        return Record([handle, offset, writer]);
    }

    public Errno ReleaseDirectory(ulong handle) => Record([handle]);

    public Errno FsyncDirectory(ulong handle, bool dataOnly) => Record([handle, dataOnly]);

    public Errno GetVolumeStatistics(ulong node, out VolumeStatistics statistics)
    {
        statistics = Volume;
        return Record([node]);
    }

    public Errno Access(ulong node, int mask) => Record([node, mask]);

    public Errno SetExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags) =>
        Record([context, node, name.ToArray(), value.ToArray(), flags]);

    public Errno GetExtendedAttribute(ulong node, ReadOnlySpan<byte> name, Span<byte> value, out int length)
    {
        length = Fill(value, "value"u8);
        return Record([node, name.ToArray(), value.Length]);
    }

    public Errno ListExtendedAttributes(ulong node, Span<byte> list, out int length)
    {
        length = Fill(list, "user.x\0"u8);
        return Record([node, list.Length]);
    }

    public Errno RemoveExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name) =>
        Record([context, node, name.ToArray()]);

    private static int Fill(Span<byte> buffer, ReadOnlySpan<byte> content)
    {
        var length = Math.Min(buffer.Length, content.Length);
        content[..length].CopyTo(buffer);
        return length;
    }

    private Errno Record(object?[] arguments, [CallerMemberName] string member = "") => Record(Result, arguments, member);

    private T Record<T>(T result, object?[] arguments, [CallerMemberName] string member = "")
    {
        Calls.Add(new RecordedCall(member, arguments));
        return result;
    }
}

/// <summary>A call a <see cref="RecordingFileSystem"/> received.</summary>
internal sealed record RecordedCall(string Member, object?[] Arguments);
