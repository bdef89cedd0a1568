using System.Threading.Tasks.Sources;

namespace ThrottleFs.Qos;

/// <summary>
/// A request that had to wait somewhere along its chain. Pooled: the uncontended path never creates one, and a
/// waiting request costs a pooled object, not a thread or an allocation. It is the <see cref="IValueTaskSource"/>
/// behind the <see cref="ValueTask"/> a caller awaits; continuations run on the thread pool, never inside a lock.
/// </summary>
internal sealed class WaitingRequest : IValueTaskSource
{
    private static readonly Action<object?> OnCanceledCallback = static state => ((WaitingRequest)state!).OnCanceled();
    private static readonly TimerCallback OnDelayedCallback = static state => ((WaitingRequest)state!).OnDelayed();
    private static readonly Lock PoolLock = new();
    private static readonly WaitingRequest?[] Pool = new WaitingRequest?[1024];
    private static int _pooled;

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationToken _cancellationToken;
    private CancellationTokenRegistration _registration;
    private int _cancelRequested;

    // The timer of an injected latency, kept with the pooled request so that a delay allocates nothing once warm;
    // _delaying is 1 while it runs, and whoever sets it back to 0 (the timer or a cancellation) completes the request.
    private ITimer? _delay;
    private TimeProvider? _delayClock;
    private long _delayDue;
    private int _delaying;

    /// <summary>The chain being walked and the layer the request is at.</summary>
    public ThrottleGroupMember[] Layers = [];
    public int Layer;
    public ThrottleDirection Direction;
    public Admission Admission;

    /// <summary>When the request was queued at its current layer.</summary>
    public long QueuedAtNs;

    // Queue links, guarded by the lock of the group whose queue holds the request.
    public WaitingRequest? Next;
    public WaitingRequest? Previous;

    /// <summary>The member whose queue holds the request, or null while it is not queued.</summary>
    public ThrottleGroupMember? QueuedIn;

    /// <summary>Link in a <see cref="ReleasedBatch"/>, owned by the thread that released the request.</summary>
    public WaitingRequest? NextReleased;

    public bool IsCancelRequested => Volatile.Read(ref _cancelRequested) != 0;

    /// <summary>Admits a request through every layer of a chain, in order.</summary>
    public static ValueTask Admit(ThrottleGroupMember[] layers, ThrottleDirection direction, long bytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        var admission = new Admission(bytes);
        WaitingRequest? request = null;
        try
        {
            for (var layer = 0; layer < layers.Length; layer++)
            {
                switch (layers[layer].Enter(direction, ref admission, ref request, layers, layer, out var refusal))
                {
                    case LayerOutcome.Queued:
                        request!.WatchCancellation(cancellationToken);
                        return new ValueTask(request, request._core.Version);
                    case LayerOutcome.Refused:
                        Refund(layers, layer, direction, bytes);
                        return ValueTask.FromException(refusal!);
                }
            }
        }
        catch (ObjectDisposedException e)
        {
            return ValueTask.FromException(e);
        }

        // Admitted everywhere: the latency the layers inject, if any, is the last wait.
        var latency = LatencyOf(layers, direction);
        if (latency == 0)
        {
            return default;
        }

        request = Rent(layers, layers.Length - 1, direction, admission);
        var version = request._core.Version;
        request.WatchCancellation(cancellationToken);
        request.Delay(latency);
        return new ValueTask(request, version);
    }

    /// <summary>Takes a request from the pool for a request that must queue at <paramref name="layer"/>.</summary>
    public static WaitingRequest Rent(ThrottleGroupMember[] layers, int layer, ThrottleDirection direction, in Admission admission)
    {
        WaitingRequest? request = null;
        lock (PoolLock)
        {
            if (_pooled > 0)
            {
                request = Pool[--_pooled];
                Pool[_pooled] = null;
            }
        }

        request ??= new WaitingRequest();
        request.Layers = layers;
        request.Layer = layer;
        request.Direction = direction;
        request.Admission = admission;
        return request;
    }

    /// <summary>Called once the layer the request waited in has admitted it: walk on through the rest of the chain.</summary>
    public void Continue()
    {
        var self = this;
        Admission.Clock = null; // time has passed while the request waited
        for (var layer = Layer + 1; layer < Layers.Length; layer++)
        {
            if (IsCancelRequested)
            {
                FinishCanceled();
                return;
            }

            Layer = layer;
            try
            {
                switch (Layers[layer].Enter(Direction, ref Admission, ref self, Layers, layer, out var refusal))
                {
                    case LayerOutcome.Queued:
                        return; // queued again, or cancelled while queueing
                    case LayerOutcome.Refused:
                        Refuse(refusal!);
                        return;
                }
            }
            catch (ObjectDisposedException e)
            {
                Fail(e);
                return;
            }
        }

        var latency = LatencyOf(Layers, Direction);
        if (latency == 0)
        {
            _core.SetResult(true);
        }
        else
        {
            Delay(latency);
        }
    }

    /// <summary>
    /// Completes a request the layer it is at (<see cref="Layer"/>) refused: the layers before it, which admitted it,
    /// take their charges back.
    /// </summary>
    public void Refuse(ThrottleRefusedException refusal)
    {
        Refund(Layers, Layer, Direction, Admission.Bytes);
        _core.SetException(refusal);
    }

    public void FinishCanceled() => _core.SetException(new OperationCanceledException(_cancellationToken));

    public void Fail(Exception error) => _core.SetException(error);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource.GetResult(short token)
    {
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            Recycle();
        }
    }

    // A refused request is charged to no bucket: the layers before the one that refused it give their charge back.
    private static void Refund(ThrottleGroupMember[] layers, int refusedAt, ThrottleDirection direction, long bytes)
    {
        for (var layer = 0; layer < refusedAt; layer++)
        {
            layers[layer].Refund(direction, bytes);
        }
    }

    // The sum of the latencies the layers add; reading each layer's config is all it costs when none does.
    private static long LatencyOf(ThrottleGroupMember[] layers, ThrottleDirection direction)
    {
        long latency = 0;
        foreach (var layer in layers)
        {
            if (layer.Group is { } group && group.Config.AddsLatency(direction))
            {
                latency += group.LatencyNs(direction);
            }
        }

        return latency;
    }

    private void Delay(long nanoseconds)
    {
        var time = Layers[^1].Group?.Time ?? TimeProvider.System;
        if (_delayClock != time || _delay is null)
        {
            _delay?.Dispose();
            _delay = time.CreateTimer(OnDelayedCallback, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _delayClock = time;
        }

        // A cancellation may stop the delay (and drop the timer) as soon as it is marked running: arm the one in hand.
        var timer = _delay;
        _delayDue = time.GetTimestamp() + (long)Math.Ceiling(nanoseconds * (time.TimestampFrequency / 1e9));
        Volatile.Write(ref _delaying, 1);
        timer.Change(TimeSpan.FromTicks((nanoseconds + 99) / 100), Timeout.InfiniteTimeSpan);
        if (IsCancelRequested)
        {
            StopDelay(); // cancelled while the delay was being armed
        }
    }

    private void OnDelayed()
    {
        // The system timer counts whole milliseconds and may fire early: an injected latency is never cut short.
        var early = _delayDue - _delayClock!.GetTimestamp();
        if (early > 0 && Volatile.Read(ref _delaying) == 1)
        {
            var ticks = (long)Math.Ceiling(early * (TimeSpan.TicksPerSecond / (double)_delayClock.TimestampFrequency));
            _delay?.Change(TimeSpan.FromTicks(Math.Max(ticks, 1)), Timeout.InfiniteTimeSpan);
            return;
        }

        if (Interlocked.Exchange(ref _delaying, 0) == 1)
        {
            _core.SetResult(true);
        }
    }

    // A cancelled delay's timer is not reused: its callback may already be on its way.
    private void StopDelay()
    {
        if (Interlocked.Exchange(ref _delaying, 0) == 1)
        {
            _delay?.Dispose();
            _delay = null;
            FinishCanceled();
        }
    }

    private void WatchCancellation(CancellationToken cancellationToken)
    {
        // Registered after queueing and outside every lock: if the token is already cancelled the callback runs
        // right here and takes the group's lock itself.
        _cancellationToken = cancellationToken;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(OnCanceledCallback, this);
        }
    }

    private void OnCanceled()
    {
        // The flag is set before QueuedIn is read; a layer that queues the request sets QueuedIn before reading the
        // flag. Whichever runs second sees the other, so a cancelled request never stays queued.
        Interlocked.Exchange(ref _cancelRequested, 1);
        Volatile.Read(ref QueuedIn)?.Cancel(this);
        StopDelay();
    }

    private void Recycle()
    {
        // Waits for a cancellation callback still running, so it cannot touch the request after it is reused.
        _registration.Dispose();
        _registration = default;
        _cancellationToken = default;
        _cancelRequested = 0;
        Layers = [];
        QueuedIn = null;
        Next = Previous = NextReleased = null;
        _core.Reset();
        lock (PoolLock)
        {
            if (_pooled < Pool.Length)
            {
                Pool[_pooled++] = this;
            }
        }
    }
}
