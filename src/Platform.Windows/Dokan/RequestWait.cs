using ThrottleFs.FileSystem;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>
/// Waits, on the Dokan thread that called, for a read or write the throttle holds back. dokan2 has no way to answer a
/// request later, so the thread must wait; and the driver fails a request that has not been answered within the
/// mount's timeout. So the wait goes in slices of a third of that timeout, and between slices the request's deadline
/// is pushed back (<see cref="IDokanLibrary.ResetTimeout"/>: a device call each, hence not more often). A cap bounds
/// the whole wait: then the request is cancelled, which takes it out of its throttle's queue uncharged, and it fails
/// with <see cref="Errno.ETIMEDOUT"/> (STATUS_IO_TIMEOUT for the application).
/// </summary>
/// <param name="dokan">Where the deadlines are pushed back.</param>
/// <param name="time">The clock the slices and the cap run on.</param>
/// <param name="driverTimeout">The mount's per-request timeout in the driver.</param>
/// <param name="cap">The longest a request waits in all, or null for as long as it takes.</param>
internal sealed unsafe class RequestWait(IDokanLibrary dokan, TimeProvider time, TimeSpan driverTimeout, TimeSpan? cap)
{
    /// <summary>The driver's timeout the waits keep ahead of.</summary>
    public TimeSpan DriverTimeout { get; } = driverTimeout;

    /// <summary>
    /// Waits for <paramref name="pending"/>, a request started with <paramref name="cancellation"/>'s token, at most the
    /// cap. Always returns with the request finished, so its buffer may go back to Dokan.
    /// </summary>
    public IoResult Wait(ValueTask<IoResult> pending, CancellationTokenSource cancellation, DokanFileInfo* info)
    {
        if (pending.IsCompleted)
        {
            return Result(pending); // the common case: admitted at once, nothing allocated
        }

        var task = pending.AsTask();
        var started = time.GetTimestamp();
        var slice = DriverTimeout / 3;
        while (true)
        {
            var left = cap is { } limit ? limit - time.GetElapsedTime(started) : slice;
            if (left <= TimeSpan.Zero)
            {
                cancellation.Cancel();
                var result = Result(new ValueTask<IoResult>(task)); // the backing I/O, if it had started, finishes first
                return result.Error == Errno.EINTR ? IoResult.Failed(Errno.ETIMEDOUT) : result;
            }

            if (WaitFor(task, left < slice ? left : slice))
            {
                return Result(new ValueTask<IoResult>(task));
            }

            if (cap is null || time.GetElapsedTime(started) < cap)
            {
                dokan.ResetTimeout((uint)DriverTimeout.TotalMilliseconds, info);
            }
        }
    }

    // Blocks until the task is done or the slice has passed on the mount's clock (the tests' is virtual).
    private bool WaitFor(Task task, TimeSpan slice)
    {
        using var stop = new CancellationTokenSource();
        var delay = Task.Delay(slice, time, stop.Token);
        Task.WaitAny(task, delay);
        stop.Cancel();
        return task.IsCompleted;
    }

    private static IoResult Result(ValueTask<IoResult> done)
    {
        try
        {
            return done.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return IoResult.Failed(Errno.EINTR);
        }
        catch (ObjectDisposedException)
        {
            return IoResult.Failed(Errno.EIO); // the mount is going away
        }
    }
}
