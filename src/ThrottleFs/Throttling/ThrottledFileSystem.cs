using System.Runtime.CompilerServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;

namespace ThrottleFs.Throttling;

/// <summary>
/// Sends every read, write and copy through its file's throttle chain before the inner filesystem touches the
/// backing store; every other operation passes straight through. A read or write whose layers all admit it at once
/// runs inline with no allocation; one that must wait holds no thread until it is admitted.
/// </summary>
public sealed class ThrottledFileSystem(IFileSystem inner, ThrottlePolicy policy, Func<ulong, string> nameOf) : IFileSystem
{
    private readonly HandleMap<FileThrottle> _throttles = new();

    public Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out EntryInfo entry) => inner.Lookup(parent, name, out entry);

    public void Forget(ulong node, ulong lookups) => inner.Forget(node, lookups);

    public Errno GetAttributes(ulong node, ulong? handle, out NodeAttributes attributes) => inner.GetAttributes(node, handle, out attributes);

    public Errno SetAttributes(ulong node, in AttributeChanges changes, out NodeAttributes attributes) => inner.SetAttributes(node, changes, out attributes);

    public Errno ReadLink(ulong node, Span<byte> target, out int length) => inner.ReadLink(node, target, out length);

    public Errno MakeNode(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, uint rdev, out EntryInfo entry) =>
        inner.MakeNode(context, parent, name, mode, rdev, out entry);

    public Errno MakeDirectory(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, uint mode, out EntryInfo entry) =>
        inner.MakeDirectory(context, parent, name, mode, out entry);

    public Errno Symlink(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out EntryInfo entry) =>
        inner.Symlink(context, parent, name, target, out entry);

    public Errno Link(ulong node, ulong newParent, ReadOnlySpan<byte> newName, out EntryInfo entry) => inner.Link(node, newParent, newName, out entry);

    public Errno Unlink(ulong parent, ReadOnlySpan<byte> name) => inner.Unlink(parent, name);

    public Errno RemoveDirectory(ulong parent, ReadOnlySpan<byte> name) => inner.RemoveDirectory(parent, name);

    public Errno Rename(ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, RenameFlags flags) =>
        inner.Rename(parent, name, newParent, newName, flags);

    public Errno Open(ulong node, int flags, out OpenedFile file)
    {
        var error = inner.Open(node, flags, out file);
        if (error == Errno.Success)
        {
            _throttles.Set(file.Handle, policy.Open(node, nameOf(node)));
        }

        return error;
    }

    public Errno Create(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, int flags, uint mode, out EntryInfo entry, out OpenedFile file)
    {
        var error = inner.Create(context, parent, name, flags, mode, out entry, out file);
        if (error == Errno.Success)
        {
            _throttles.Set(file.Handle, policy.Open(entry.Node, nameOf(entry.Node)));
        }

        return error;
    }

    public ValueTask<IoResult> ReadAsync(ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var admission = Admit(handle, ThrottleDirection.Read, destination.Length, cancellationToken);
        if (admission.IsCompletedSuccessfully)
        {
            admission.GetAwaiter().GetResult();
            return inner.ReadAsync(handle, offset, destination, cancellationToken);
        }

        return ReadWhenAdmittedAsync(admission, handle, offset, destination, cancellationToken);
    }

    public ValueTask<IoResult> WriteAsync(ulong handle, long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        var admission = Admit(handle, ThrottleDirection.Write, source.Length, cancellationToken);
        if (admission.IsCompletedSuccessfully)
        {
            admission.GetAwaiter().GetResult();
            return inner.WriteAsync(handle, offset, source, cancellationToken);
        }

        return WriteWhenAdmittedAsync(admission, handle, offset, source, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IoResult> CopyFileRangeAsync(ulong handleIn, long offsetIn, ulong handleOut, long offsetOut, long length, CancellationToken cancellationToken)
    {
        // The copy reads from one file and writes to another: it passes both chains, each in its direction.
        var error = await WaitAsync(Admit(handleIn, ThrottleDirection.Read, length, cancellationToken));
        if (error == Errno.Success)
        {
            error = await WaitAsync(Admit(handleOut, ThrottleDirection.Write, length, cancellationToken));
        }

        return error != Errno.Success
            ? IoResult.Failed(error)
            : await inner.CopyFileRangeAsync(handleIn, offsetIn, handleOut, offsetOut, length, cancellationToken);
    }

    public Errno Flush(ulong handle) => inner.Flush(handle);

    public Errno Release(ulong handle)
    {
        var error = inner.Release(handle);
        if (_throttles.Remove(handle) is { } throttle)
        {
            policy.Close(throttle);
        }

        return error;
    }

    public Errno Fsync(ulong handle, bool dataOnly) => inner.Fsync(handle, dataOnly);

    public Errno Allocate(ulong handle, int mode, long offset, long length) => inner.Allocate(handle, mode, offset, length);

    public Errno Seek(ulong handle, long offset, int whence, out long result) => inner.Seek(handle, offset, whence, out result);

    public Errno OpenDirectory(ulong node, out OpenedFile directory) => inner.OpenDirectory(node, out directory);

    public Errno ReadDirectory(ulong handle, long offset, IDirectoryWriter writer) => inner.ReadDirectory(handle, offset, writer);

    public Errno ReleaseDirectory(ulong handle) => inner.ReleaseDirectory(handle);

    public Errno FsyncDirectory(ulong handle, bool dataOnly) => inner.FsyncDirectory(handle, dataOnly);

    public Errno GetVolumeStatistics(ulong node, out VolumeStatistics statistics) => inner.GetVolumeStatistics(node, out statistics);

    public Errno Access(ulong node, int mask) => inner.Access(node, mask);

    public Errno SetExtendedAttribute(ulong node, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags) =>
        inner.SetExtendedAttribute(node, name, value, flags);

    public Errno GetExtendedAttribute(ulong node, ReadOnlySpan<byte> name, Span<byte> value, out int length) =>
        inner.GetExtendedAttribute(node, name, value, out length);

    public Errno ListExtendedAttributes(ulong node, Span<byte> list, out int length) => inner.ListExtendedAttributes(node, list, out length);

    public Errno RemoveExtendedAttribute(ulong node, ReadOnlySpan<byte> name) => inner.RemoveExtendedAttribute(node, name);

    private ValueTask Admit(ulong handle, ThrottleDirection direction, long bytes, CancellationToken cancellationToken) =>
        _throttles.Get(handle) is { } throttle ? throttle.Chain.AdmitAsync(direction, bytes, cancellationToken) : default;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<Errno> WaitAsync(ValueTask admission)
    {
        try
        {
            await admission;
            return Errno.Success;
        }
        catch (OperationCanceledException)
        {
            return Errno.EINTR; // interrupted while waiting: nothing was done
        }
        catch (ObjectDisposedException)
        {
            return Errno.EIO; // the mount is going away
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IoResult> ReadWhenAdmittedAsync(ValueTask admission, ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var error = await WaitAsync(admission);
        return error != Errno.Success ? IoResult.Failed(error) : await inner.ReadAsync(handle, offset, destination, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IoResult> WriteWhenAdmittedAsync(ValueTask admission, ulong handle, long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        var error = await WaitAsync(admission);
        return error != Errno.Success ? IoResult.Failed(error) : await inner.WriteAsync(handle, offset, source, cancellationToken);
    }
}
