using System.Runtime.CompilerServices;
using Serilog.Events;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;

namespace ThrottleFs.Throttling;

/// <summary>
/// Sends every read, write and copy through its file's throttle chain before the inner filesystem touches the
/// backing store; every other operation passes straight through. A read or write whose layers all admit it at once
/// runs inline with no allocation; one that must wait holds no thread until it is admitted.
/// </summary>
/// <param name="inner">The filesystem that does the I/O.</param>
/// <param name="policy">Which layers each file passes.</param>
/// <param name="pathOf">A node's path relative to the mount root, the key of its throttle state.</param>
public sealed class ThrottledFileSystem(IFileSystem inner, ThrottlePolicy policy, Func<ulong, string> pathOf) : IFileSystem
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

    public Errno Open(in RequestContext context, ulong node, int flags, out OpenedFile file)
    {
        var error = inner.Open(context, node, flags, out file);
        if (error == Errno.Success)
        {
            _throttles.Set(file.Handle, policy.Open(pathOf(node)));
        }

        return error;
    }

    public Errno Create(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, int flags, uint mode, out EntryInfo entry, out OpenedFile file)
    {
        var error = inner.Create(context, parent, name, flags, mode, out entry, out file);
        if (error == Errno.Success)
        {
            _throttles.Set(file.Handle, policy.Open(pathOf(entry.Node)));
        }

        return error;
    }

    public ValueTask<IoResult> ReadAsync(ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var throttle = _throttles.Get(handle);
        if (throttle is null || TryAdmitNow(throttle, ThrottleDirection.Read, destination.Length, cancellationToken, out var admission))
        {
            return inner.ReadAsync(handle, offset, destination, cancellationToken);
        }

        return ReadWhenAdmittedAsync(admission, handle, offset, destination, cancellationToken);
    }

    public ValueTask<IoResult> WriteAsync(ulong handle, long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        var throttle = _throttles.Get(handle);
        if (throttle is null || TryAdmitNow(throttle, ThrottleDirection.Write, source.Length, cancellationToken, out var admission))
        {
            return inner.WriteAsync(handle, offset, source, cancellationToken);
        }

        return WriteWhenAdmittedAsync(admission, handle, offset, source, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IoResult> CopyFileRangeAsync(ulong handleIn, long offsetIn, ulong handleOut, long offsetOut, long length, CancellationToken cancellationToken)
    {
        // The copy reads from one file and writes to another: it passes both chains, each in its direction.
        var error = await AdmitAsync(handleIn, ThrottleDirection.Read, length, cancellationToken);
        if (error == Errno.Success)
        {
            error = await AdmitAsync(handleOut, ThrottleDirection.Write, length, cancellationToken);
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

    public Errno SetExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags) =>
        inner.SetExtendedAttribute(context, node, name, value, flags);

    public Errno GetExtendedAttribute(ulong node, ReadOnlySpan<byte> name, Span<byte> value, out int length) =>
        inner.GetExtendedAttribute(node, name, value, out length);

    public Errno ListExtendedAttributes(ulong node, Span<byte> list, out int length) => inner.ListExtendedAttributes(node, list, out length);

    public Errno RemoveExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name) => inner.RemoveExtendedAttribute(context, node, name);

    // The fast path: every layer admits at once, counted with two interlocked adds. Otherwise the request is
    // counted as waiting and the admission is handed to the caller, who awaits it through WaitAsync.
    private bool TryAdmitNow(FileThrottle throttle, ThrottleDirection direction, long bytes, CancellationToken cancellationToken, out PendingAdmission pending)
    {
        var admission = throttle.Chain.AdmitAsync(direction, bytes, cancellationToken);
        if (admission.IsCompletedSuccessfully)
        {
            admission.GetAwaiter().GetResult();
            throttle.Meter.RecordImmediate(direction, bytes);
            pending = default;
            return true;
        }

        throttle.Meter.RecordQueued(direction);
        pending = new PendingAdmission(admission, throttle, direction, bytes, policy.Time.GetTimestamp());
        return false;
    }

    private ValueTask<Errno> AdmitAsync(ulong handle, ThrottleDirection direction, long bytes, CancellationToken cancellationToken) =>
        _throttles.Get(handle) is not { } throttle || TryAdmitNow(throttle, direction, bytes, cancellationToken, out var pending)
            ? new ValueTask<Errno>(Errno.Success)
            : WaitAsync(pending);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Errno> WaitAsync(PendingAdmission pending)
    {
        var error = Errno.Success;
        try
        {
            await pending.Admission;
        }
        catch (OperationCanceledException)
        {
            error = Errno.EINTR; // interrupted while waiting: nothing was done
        }
        catch (ObjectDisposedException)
        {
            error = Errno.EIO; // the mount is going away
        }

        var waited = policy.Time.GetElapsedTime(pending.Started);
        pending.Throttle.Meter.RecordWaited(pending.Direction, pending.Bytes, (long)(waited.Ticks * 100), error == Errno.Success);
        if (policy.Log.IsEnabled(LogEventLevel.Debug))
        {
            policy.Log.Debug(
                "{Path}: {Direction} of {Bytes} bytes waited {Milliseconds:F1} ms ({Result})",
                pending.Throttle.Path, pending.Direction == ThrottleDirection.Read ? "read" : "write", pending.Bytes, waited.TotalMilliseconds, error == Errno.Success ? "admitted" : error.ToString());
        }

        return error;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IoResult> ReadWhenAdmittedAsync(PendingAdmission admission, ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var error = await WaitAsync(admission);
        return error != Errno.Success ? IoResult.Failed(error) : await inner.ReadAsync(handle, offset, destination, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IoResult> WriteWhenAdmittedAsync(PendingAdmission admission, ulong handle, long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        var error = await WaitAsync(admission);
        return error != Errno.Success ? IoResult.Failed(error) : await inner.WriteAsync(handle, offset, source, cancellationToken);
    }

    private readonly record struct PendingAdmission(ValueTask Admission, FileThrottle Throttle, ThrottleDirection Direction, long Bytes, long Started);
}
