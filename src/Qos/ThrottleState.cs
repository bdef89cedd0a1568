namespace ThrottleFs.Qos;

/// <summary>
/// The buckets of one throttle state and their levels, as QEMU's <c>ThrottleState</c>: pure, every call takes the
/// time as nanoseconds, nothing here reads a clock or arms a timer (<see cref="ThrottleGroup"/> does).
/// </summary>
internal abstract class ThrottleState
{
    private protected ThrottleState(ThrottleConfig config) => Config = config;

    /// <summary>The limits in force.</summary>
    public ThrottleConfig Config { get; private protected set; }

    /// <summary>
    /// Whether the wait depends on which request is next. QEMU's leaky buckets compute the wait from the levels
    /// alone (check before charge), so any queued request may be the one released; token buckets grant tokens to
    /// one particular request.
    /// </summary>
    internal abstract bool WaitDependsOnRequest { get; }

    /// <summary>Creates the state for a config, as configured at <paramref name="nowNs"/>.</summary>
    public static ThrottleState Create(ThrottleConfig config, long nowNs) => config.Algorithm == ThrottleAlgorithm.Token
        ? new TokenThrottleState(config, nowNs)
        : new LeakyThrottleState(config, nowNs);

    /// <summary>
    /// Applies a new config of the same algorithm at <paramref name="nowNs"/>, keeping or emptying levels as its
    /// <see cref="ThrottleConfig.OnChange"/> says.
    /// </summary>
    public abstract void Reconfigure(ThrottleConfig config, long nowNs);

    /// <summary>A snapshot of every bucket as of <paramref name="nowNs"/>; does not change the state.</summary>
    public abstract BucketStatistics[] GetBuckets(long nowNs);

    /// <summary>
    /// Tries to admit a request now. Returns 0 when it was admitted (and charged), or the nanoseconds to wait before
    /// trying again.
    /// </summary>
    internal abstract long TryAdmit(ThrottleDirection direction, ref Admission admission, long nowNs);

    /// <summary>
    /// Admits the request a timer fired for. Returns 0 when admitted, or nanoseconds to wait again (token only).
    /// </summary>
    internal abstract long AdmitOnTimer(ThrottleDirection direction, ref Admission admission, long nowNs);

    /// <summary>
    /// Takes back the charge of a request admitted here that a later layer refused: a refused request is charged to
    /// no bucket. Levels never go below empty, nor tokens above full.
    /// </summary>
    internal abstract void Refund(ThrottleDirection direction, long bytes);

    /// <summary>Gives back whatever a cancelled request had been granted.</summary>
    internal abstract void Cancel(ThrottleDirection direction, ref Admission admission);
}
