using System.Runtime.CompilerServices;
using Serilog.Events;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;

namespace ThrottleFs.Throttling;

/// <summary>
/// A request that a file's layers did not admit at once (<see cref="HandleThrottle.TryAdmitNow"/>): awaiting it ends
/// the wait, records it in the file's meter and, at Debug, logs it.
/// </summary>
internal readonly record struct PendingAdmission(ValueTask Admission, FileThrottle Throttle, ThrottleDirection Direction, long Bytes, long Started)
{
    /// <summary>Waits until every layer admits the request: <see cref="Errno.Success"/>, or why it was not admitted.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Errno> WaitAsync()
    {
        var error = Errno.Success;
        try
        {
            await Admission;
        }
        catch (OperationCanceledException)
        {
            error = Errno.EINTR; // interrupted while waiting: nothing was done
        }
        catch (ObjectDisposedException)
        {
            error = Errno.EIO; // the mount is going away
        }
        catch (ThrottleRefusedException refusal)
        {
            error = OverLimitErrors.ErrnoOf(refusal);
            Throttle.Meter.RecordRefused(Direction, refusal.Cause);
        }

        var policy = Throttle.Policy;
        var waited = policy.Time.GetElapsedTime(Started);
        Throttle.Meter.RecordWaited(Direction, Bytes, (long)(waited.Ticks * 100), error == Errno.Success);
        if (policy.Log.IsEnabled(LogEventLevel.Debug))
        {
            policy.Log.Debug(
                "{Path}: {Direction} of {Bytes} bytes waited {Milliseconds:F1} ms ({Result})",
                PathText.Escape(Throttle.Path), Direction == ThrottleDirection.Read ? "read" : "write", Bytes, waited.TotalMilliseconds, error == Errno.Success ? "admitted" : error.ToString());
        }

        return error;
    }
}
