using System.Runtime.CompilerServices;

namespace ThrottleFs.Qos;

/// <summary>
/// One request's progress through one throttle state. The leaky algorithm only needs <see cref="Bytes"/>; the
/// token algorithm also keeps, per checked bucket, the tokens still needed and those already granted, because
/// librbd keeps partial grants while a request waits.
/// </summary>
internal struct Admission
{
    public long Bytes;

    /// <summary>Whether <see cref="Needed"/> holds this layer's costs yet (token algorithm).</summary>
    public bool Started;

    /// <summary>Tokens still needed, per slot of <see cref="BucketKinds.For"/>.</summary>
    public BucketSlots Needed;

    /// <summary>Tokens granted so far, per slot; given back if the request is cancelled.</summary>
    public BucketSlots Granted;

    /// <summary>
    /// The last clock reading and the provider it came from. Layers on the same clock reuse it, so a request walking
    /// a chain without waiting reads the clock once; it is read before any lock is taken.
    /// </summary>
    public TimeProvider? Clock;
    public long ClockNs;

    public Admission(long bytes) => Bytes = bytes;

    /// <summary>Forgets progress made at a previous layer.</summary>
    public void StartLayer() => Started = false;
}

/// <summary>One value for each of the four buckets a request is checked against.</summary>
[InlineArray(4)]
internal struct BucketSlots
{
    private double _first;
}
