using System.Runtime.CompilerServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;
using ThrottleFs.Tracing;

namespace ThrottleFs.Throttling;

/// <summary>
/// Sends every read, write and copy through its file's throttle before the inner filesystem touches the backing
/// store; every other call passes straight through. A file's throttle state is keyed by its path
/// (<see cref="IFileSystem.PathOf"/>) when it is opened, and each handle is throttled as its opener's (caller rules).
/// A read or write whose layers all admit it at once runs inline with no allocation; one that must wait holds no
/// thread until it is admitted. While a trace runs, the reads and writes of the files it includes are timed and
/// recorded (pooled state machines, nothing allocated per request in steady state).
/// </summary>
/// <param name="inner">The filesystem that does the I/O.</param>
/// <param name="policy">Which layers each file passes.</param>
/// <param name="tracer">The mount's trace switch, or null when nothing is traced.</param>
internal sealed class ThrottledFileSystem(IFileSystem inner, ThrottlePolicy policy, IoTracer? tracer = null) : FileSystemDecorator(inner)
{
    private readonly HandleMap<HandleThrottle> _throttles = new();

    /// <inheritdoc/>
    public override Errno Open(in RequestContext context, ulong node, int flags, out OpenedFile file)
    {
        var error = Inner.Open(context, node, flags, out file);
        return error == Errno.Success ? Track(file.Handle, node, context) : error;
    }

    /// <inheritdoc/>
    public override Errno Create(in RequestContext context, ulong parent, ReadOnlySpan<byte> name, int flags, uint mode, out EntryInfo entry, out OpenedFile file)
    {
        var error = Inner.Create(context, parent, name, flags, mode, out entry, out file);
        if (error == Errno.Success && (error = Track(file.Handle, entry.Node, context)) != Errno.Success)
        {
            Inner.Forget(entry.Node, 1);
        }

        return error;
    }

    /// <inheritdoc/>
    public override ValueTask<IoResult> ReadAsync(ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var throttle = _throttles.Get(handle);
        if (tracer?.Current is { } trace && throttle is not null && trace.Includes(throttle.File))
        {
            // Admitted at once and done at once (the usual case) is recorded inline, without a state machine.
            var arrived = trace.Now();
            if (throttle.TryAdmitNow(ThrottleDirection.Read, destination.Length, cancellationToken, out var waiting))
            {
                var io = Inner.ReadAsync(handle, offset, destination, cancellationToken);
                if (!io.IsCompleted)
                {
                    return TracedAsync(trace, throttle, ThrottleDirection.Read, io, offset, destination.Length, arrived);
                }

                trace.Record(throttle.File, ThrottleDirection.Read, offset, destination.Length, arrived, arrived, trace.Now());
                return io;
            }

            return ReadTracedAsync(trace, throttle, waiting, handle, offset, destination, arrived, cancellationToken);
        }

        if (throttle is null || throttle.TryAdmitNow(ThrottleDirection.Read, destination.Length, cancellationToken, out var pending))
        {
            return Inner.ReadAsync(handle, offset, destination, cancellationToken);
        }

        return ReadWhenAdmittedAsync(pending, handle, offset, destination, cancellationToken);
    }

    /// <inheritdoc/>
    public override ValueTask<IoResult> WriteAsync(ulong handle, long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        var throttle = _throttles.Get(handle);
        if (tracer?.Current is { } trace && throttle is not null && trace.Includes(throttle.File))
        {
            // Admitted at once and done at once (the usual case) is recorded inline, without a state machine.
            var arrived = trace.Now();
            if (throttle.TryAdmitNow(ThrottleDirection.Write, source.Length, cancellationToken, out var waiting))
            {
                var io = Inner.WriteAsync(handle, offset, source, cancellationToken);
                if (!io.IsCompleted)
                {
                    return TracedAsync(trace, throttle, ThrottleDirection.Write, io, offset, source.Length, arrived);
                }

                trace.Record(throttle.File, ThrottleDirection.Write, offset, source.Length, arrived, arrived, trace.Now());
                return io;
            }

            return WriteTracedAsync(trace, throttle, waiting, handle, offset, source, arrived, cancellationToken);
        }

        if (throttle is null || throttle.TryAdmitNow(ThrottleDirection.Write, source.Length, cancellationToken, out var pending))
        {
            return Inner.WriteAsync(handle, offset, source, cancellationToken);
        }

        return WriteWhenAdmittedAsync(pending, handle, offset, source, cancellationToken);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<IoResult> CopyFileRangeAsync(ulong handleIn, long offsetIn, ulong handleOut, long offsetOut, long length, CancellationToken cancellationToken)
    {
        // The copy reads from one file and writes to another: it passes both throttles, each in its direction, and a
        // trace records it as that read and that write.
        var trace = tracer?.Current;
        var arrived = trace?.Now() ?? 0;
        var error = await AdmitAsync(handleIn, ThrottleDirection.Read, length, cancellationToken);
        if (error == Errno.Success)
        {
            error = await AdmitAsync(handleOut, ThrottleDirection.Write, length, cancellationToken);
        }

        var admitted = trace?.Now() ?? 0;
        var result = error != Errno.Success
            ? IoResult.Failed(error)
            : await Inner.CopyFileRangeAsync(handleIn, offsetIn, handleOut, offsetOut, length, cancellationToken);
        if (trace is not null)
        {
            var done = trace.Now();
            var bytes = (int)Math.Min(length, int.MaxValue);
            foreach (var (handle, direction, offset) in (ReadOnlySpan<(ulong, ThrottleDirection, long)>)[(handleIn, ThrottleDirection.Read, offsetIn), (handleOut, ThrottleDirection.Write, offsetOut)])
            {
                if (_throttles.Get(handle) is { } throttle && trace.Includes(throttle.File))
                {
                    trace.Record(throttle.File, direction, offset, bytes, arrived, admitted, done);
                }
            }
        }

        return result;
    }

    /// <inheritdoc/>
    public override Errno Release(ulong handle)
    {
        var error = Inner.Release(handle);
        if (_throttles.Remove(handle) is { } throttle)
        {
            policy.Close(throttle);
        }

        return error;
    }

    // Keeps the open file's throttle by its handle. A handle outside the filesystem's range breaks the contract:
    // the open is undone rather than left unthrottled.
    private Errno Track(ulong handle, ulong node, in RequestContext context)
    {
        if (!FileSystemIds.IsFileSystemHandle(handle))
        {
            Inner.Release(handle);
            return Errno.EIO;
        }

        _throttles.Set(handle, policy.Open(Inner.PathOf(node) ?? $"node {node}", context));
        return Errno.Success;
    }

    private ValueTask<Errno> AdmitAsync(ulong handle, ThrottleDirection direction, long bytes, CancellationToken cancellationToken) =>
        _throttles.Get(handle) is { } throttle ? throttle.AdmitAsync(direction, bytes, cancellationToken) : new(Errno.Success);

    // Traced requests that wait, for their buckets or for the backing store: stamped when they arrived, when their
    // layers admitted (or refused) them, and when the backing store was done.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<IoResult> TracedAsync(TraceRecorder trace, HandleThrottle throttle, ThrottleDirection direction, ValueTask<IoResult> io, long offset, int length, long arrived)
    {
        var result = await io; // admitted when it arrived; the backing store is taking its time
        trace.Record(throttle.File, direction, offset, length, arrived, arrived, trace.Now());
        return result;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IoResult> ReadTracedAsync(TraceRecorder trace, HandleThrottle throttle, PendingAdmission pending, ulong handle, long offset, Memory<byte> destination, long arrived, CancellationToken cancellationToken)
    {
        var error = await pending.WaitAsync();
        var admitted = trace.Now();
        var result = error == Errno.Success ? await Inner.ReadAsync(handle, offset, destination, cancellationToken) : IoResult.Failed(error);
        trace.Record(throttle.File, ThrottleDirection.Read, offset, destination.Length, arrived, admitted, trace.Now());
        return result;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IoResult> WriteTracedAsync(TraceRecorder trace, HandleThrottle throttle, PendingAdmission pending, ulong handle, long offset, ReadOnlyMemory<byte> source, long arrived, CancellationToken cancellationToken)
    {
        var error = await pending.WaitAsync();
        var admitted = trace.Now();
        var result = error == Errno.Success ? await Inner.WriteAsync(handle, offset, source, cancellationToken) : IoResult.Failed(error);
        trace.Record(throttle.File, ThrottleDirection.Write, offset, source.Length, arrived, admitted, trace.Now());
        return result;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IoResult> ReadWhenAdmittedAsync(PendingAdmission pending, ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var error = await pending.WaitAsync();
        return error != Errno.Success ? IoResult.Failed(error) : await Inner.ReadAsync(handle, offset, destination, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IoResult> WriteWhenAdmittedAsync(PendingAdmission pending, ulong handle, long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        var error = await pending.WaitAsync();
        return error != Errno.Success ? IoResult.Failed(error) : await Inner.WriteAsync(handle, offset, source, cancellationToken);
    }
}
