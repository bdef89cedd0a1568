namespace ThrottleFs.Qos;

/// <summary>What one layer did with a request that entered it.</summary>
internal enum LayerOutcome
{
    /// <summary>Admitted and charged: on to the next layer.</summary>
    Admitted,

    /// <summary>Waiting in the layer's queue; the layer moves it on when its turn comes.</summary>
    Queued,

    /// <summary>Refused (<see cref="ThrottleRefusal"/>): it goes no further and is charged nowhere.</summary>
    Refused,
}
