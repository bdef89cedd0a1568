namespace ThrottleFs.Qos;

/// <summary>The bucket algorithm of a throttle state.</summary>
public enum ThrottleAlgorithm
{
    /// <summary>QEMU's leaky buckets (util/throttle.c): check before charge, wait computed exactly.</summary>
    Leaky = 0,

    /// <summary>librbd's ticked token buckets (TokenBucketThrottle): tokens added every tick, partial grants.</summary>
    Token = 1,
}
