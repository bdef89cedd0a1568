namespace ThrottleFs.FileSystem;

/// <summary>
/// The filesystem core as the platform layers see it, in terms neutral to FUSE and Dokan: node ids for names
/// already looked up (1 is the root), handles for open files, byte ranges, and <see cref="Errno"/> results.
///
/// Contracts (as go-fuse writes them on its interface):
/// <list type="bullet">
/// <item>Names are raw bytes as the kernel sent them; they are only valid during the call.</item>
/// <item>Every call that returns an <see cref="EntryInfo"/> counts one lookup on that node; the platform gives
///   lookups back with <see cref="Forget"/>, and a node's id stays valid until its count reaches zero.</item>
/// <item>Node ids and handles stay out of the ranges <see cref="FileSystemIds"/> keeps for the layers stacked on a
///   filesystem; handles are small integers, reused once released.</item>
/// <item>Reads and writes are asynchronous because they may wait for their throttle. The buffers are pinned
///   native memory owned by the caller until the returned task completes. A cancelled token (FUSE INTERRUPT) ends
///   a request that is still waiting with <see cref="Errno.EINTR"/>; once the backing I/O has started it finishes.</item>
/// <item>Nothing here throws for an I/O problem: failures are <see cref="Errno"/> values.</item>
/// </list>
/// </summary>
public interface IFileSystem
{
    /// <summary>
    /// The path of a node the kernel knows, relative to the mount root, as limits, rules and statistics name it:
    /// <c>images/vm1.qcow2</c>, "" for a root directory, the file's own name when the mount is one file. Where the
    /// file is now, renames included; null for a node this filesystem does not know.
    /// </summary>
    string? PathOf(ulong node);

    Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out EntryInfo entry);

    void Forget(ulong node, ulong lookups);

    Errno GetAttributes(ulong node, ulong? handle, out NodeAttributes attributes);

    Errno SetAttributes(ulong node, in AttributeChanges changes, out NodeAttributes attributes);

    /// <summary>
    /// Removes what a file must lose when a caller without the privilege to keep it (Linux: CAP_FSETID) writes or
    /// truncates it: the set-user-ID bit, the set-group-ID bit where Linux drops it (the file has group execute, or
    /// the caller is not in the file's group), and file capabilities. The platform asks before such a write or
    /// truncation, as the kernel does (FUSE's kill_priv); it costs nothing once a file is known to have none.
    /// <paramref name="removed"/> says whether anything went, so the platform can drop attributes it cached.
    /// </summary>
    Errno RemovePrivileges(in RequestContext context, ulong node, out bool removed);

    /// <summary>Writes the link target into <paramref name="target"/> and returns its length.</summary>
    Errno ReadLink(ulong node, Span<byte> target, out int length);

    Errno MakeNode(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, uint rdev, out EntryInfo entry);

    Errno MakeDirectory(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, out EntryInfo entry);

    Errno Symlink(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out EntryInfo entry);

    Errno Link(ulong node, ulong newParent, ReadOnlySpan<byte> newName, out EntryInfo entry);

    Errno Unlink(ulong parent, ReadOnlySpan<byte> name);

    Errno RemoveDirectory(ulong parent, ReadOnlySpan<byte> name);

    Errno Rename(ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, RenameFlags flags);

    /// <summary>Opens a file; <paramref name="flags"/> are open(2) flags (O_DIRECT, O_TRUNC, O_APPEND, ...).</summary>
    Errno Open(in RequestContext context, ulong node, int flags, out OpenedFile file);

    Errno Create(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, int flags, uint mode, out EntryInfo entry, out OpenedFile file);

    ValueTask<IoResult> ReadAsync(ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken);

    ValueTask<IoResult> WriteAsync(ulong handle, long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken);

    ValueTask<IoResult> CopyFileRangeAsync(ulong handleIn, long offsetIn, ulong handleOut, long offsetOut, long length, CancellationToken cancellationToken);

    /// <summary>Called on every close of a file descriptor (there may be several per open).</summary>
    Errno Flush(ulong handle);

    Errno Release(ulong handle);

    Errno Fsync(ulong handle, bool dataOnly);

    Errno Allocate(ulong handle, int mode, long offset, long length);

    /// <summary>lseek for SEEK_DATA and SEEK_HOLE.</summary>
    Errno Seek(ulong handle, long offset, int whence, out long result);

    Errno OpenDirectory(ulong node, out OpenedFile directory);

    Errno ReadDirectory(ulong handle, long offset, IDirectoryWriter writer);

    Errno ReleaseDirectory(ulong handle);

    Errno FsyncDirectory(ulong handle, bool dataOnly);

    Errno GetVolumeStatistics(ulong node, out VolumeStatistics statistics);

    Errno Access(ulong node, int mask);

    Errno SetExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags);

    /// <summary>With an empty <paramref name="value"/>, only reports the size needed.</summary>
    Errno GetExtendedAttribute(ulong node, ReadOnlySpan<byte> name, Span<byte> value, out int length);

    /// <summary>With an empty <paramref name="list"/>, only reports the size needed.</summary>
    Errno ListExtendedAttributes(ulong node, Span<byte> list, out int length);

    Errno RemoveExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name);
}
