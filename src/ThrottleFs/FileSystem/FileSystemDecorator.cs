namespace ThrottleFs.FileSystem;

/// <summary>
/// A filesystem layered on another: every call goes to <see cref="Inner"/> unless the layer overrides it, so a layer
/// writes only what it changes (go-fuse's default raw filesystem, inverted: forward, not ENOSYS).
/// </summary>
/// <param name="inner">The filesystem under this layer.</param>
public abstract class FileSystemDecorator(IFileSystem inner) : IFileSystem
{
    /// <summary>The filesystem under this layer.</summary>
    protected IFileSystem Inner { get; } = inner;

    /// <inheritdoc/>
    public virtual string? PathOf(ulong node) => Inner.PathOf(node);

    /// <inheritdoc/>
    public virtual Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out EntryInfo entry) => Inner.Lookup(parent, name, out entry);

    /// <inheritdoc/>
    public virtual void Forget(ulong node, ulong lookups) => Inner.Forget(node, lookups);

    /// <inheritdoc/>
    public virtual Errno GetAttributes(ulong node, ulong? handle, out NodeAttributes attributes) => Inner.GetAttributes(node, handle, out attributes);

    /// <inheritdoc/>
    public virtual Errno SetAttributes(ulong node, in AttributeChanges changes, out NodeAttributes attributes) =>
        Inner.SetAttributes(node, changes, out attributes);

    /// <inheritdoc/>
    public virtual Errno RemovePrivileges(in RequestContext context, ulong node, out bool removed) => Inner.RemovePrivileges(context, node, out removed);

    /// <inheritdoc/>
    public virtual Errno ReadLink(ulong node, Span<byte> target, out int length) => Inner.ReadLink(node, target, out length);

    /// <inheritdoc/>
    public virtual Errno MakeNode(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, uint rdev, out EntryInfo entry) =>
        Inner.MakeNode(context, parent, name, mode, rdev, out entry);

    /// <inheritdoc/>
    public virtual Errno MakeDirectory(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, out EntryInfo entry) =>
        Inner.MakeDirectory(context, parent, name, mode, out entry);

    /// <inheritdoc/>
    public virtual Errno Symlink(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out EntryInfo entry) =>
        Inner.Symlink(context, parent, name, target, out entry);

    /// <inheritdoc/>
    public virtual Errno Link(ulong node, ulong newParent, ReadOnlySpan<byte> newName, out EntryInfo entry) =>
        Inner.Link(node, newParent, newName, out entry);

    /// <inheritdoc/>
    public virtual Errno Unlink(ulong parent, ReadOnlySpan<byte> name) => Inner.Unlink(parent, name);

    /// <inheritdoc/>
    public virtual Errno RemoveDirectory(ulong parent, ReadOnlySpan<byte> name) => Inner.RemoveDirectory(parent, name);

    /// <inheritdoc/>
    public virtual Errno Rename(ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, RenameFlags flags) =>
        Inner.Rename(parent, name, newParent, newName, flags);

    /// <inheritdoc/>
    public virtual Errno Open(in RequestContext context, ulong node, int flags, out OpenedFile file) => Inner.Open(context, node, flags, out file);

    /// <inheritdoc/>
    public virtual Errno Create(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, int flags, uint mode, out EntryInfo entry, out OpenedFile file) =>
        Inner.Create(context, parent, name, flags, mode, out entry, out file);

    /// <inheritdoc/>
    public virtual ValueTask<IoResult> ReadAsync(ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken) =>
        Inner.ReadAsync(handle, offset, destination, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<IoResult> WriteAsync(ulong handle, long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken) =>
        Inner.WriteAsync(handle, offset, source, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<IoResult> CopyFileRangeAsync(ulong handleIn, long offsetIn, ulong handleOut, long offsetOut, long length, CancellationToken cancellationToken) =>
        Inner.CopyFileRangeAsync(handleIn, offsetIn, handleOut, offsetOut, length, cancellationToken);

    /// <inheritdoc/>
    public virtual Errno Flush(ulong handle) => Inner.Flush(handle);

    /// <inheritdoc/>
    public virtual Errno Release(ulong handle) => Inner.Release(handle);

    /// <inheritdoc/>
    public virtual Errno Fsync(ulong handle, bool dataOnly) => Inner.Fsync(handle, dataOnly);

    /// <inheritdoc/>
    public virtual Errno Allocate(ulong handle, int mode, long offset, long length) => Inner.Allocate(handle, mode, offset, length);

    /// <inheritdoc/>
    public virtual Errno Seek(ulong handle, long offset, int whence, out long result) => Inner.Seek(handle, offset, whence, out result);

    /// <inheritdoc/>
    public virtual Errno OpenDirectory(ulong node, out OpenedFile directory) => Inner.OpenDirectory(node, out directory);

    /// <inheritdoc/>
    public virtual Errno ReadDirectory(ulong handle, long offset, IDirectoryWriter writer) => Inner.ReadDirectory(handle, offset, writer);

    /// <inheritdoc/>
    public virtual Errno ReleaseDirectory(ulong handle) => Inner.ReleaseDirectory(handle);

    /// <inheritdoc/>
    public virtual Errno FsyncDirectory(ulong handle, bool dataOnly) => Inner.FsyncDirectory(handle, dataOnly);

    /// <inheritdoc/>
    public virtual Errno GetVolumeStatistics(ulong node, out VolumeStatistics statistics) => Inner.GetVolumeStatistics(node, out statistics);

    /// <inheritdoc/>
    public virtual Errno Access(ulong node, int mask) => Inner.Access(node, mask);

    /// <inheritdoc/>
    public virtual Errno SetExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags) =>
        Inner.SetExtendedAttribute(context, node, name, value, flags);

    /// <inheritdoc/>
    public virtual Errno GetExtendedAttribute(ulong node, ReadOnlySpan<byte> name, Span<byte> value, out int length) =>
        Inner.GetExtendedAttribute(node, name, value, out length);

    /// <inheritdoc/>
    public virtual Errno ListExtendedAttributes(ulong node, Span<byte> list, out int length) => Inner.ListExtendedAttributes(node, list, out length);

    /// <inheritdoc/>
    public virtual Errno RemoveExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name) =>
        Inner.RemoveExtendedAttribute(context, node, name);
}
