namespace ThrottleFs.Qos;

/// <summary>
/// A request a layer refused (<see cref="ThrottleRefusal"/>): it was charged to no bucket of any layer and holds no
/// place in any queue or round-robin turn.
/// </summary>
public sealed class ThrottleRefusedException(string layer, ThrottleRefusal cause, OverLimitError error)
    : Exception($"The throttle '{layer}' refused the request: {Describe(cause)}.")
{
    /// <summary>The group whose limits refused it.</summary>
    public string Layer { get; } = layer;

    /// <summary>Why it was refused.</summary>
    public ThrottleRefusal Cause { get; } = cause;

    /// <summary>The error the layer's config asks for (<c>over-limit-error</c>).</summary>
    public OverLimitError Error { get; } = error;

    private static string Describe(ThrottleRefusal cause) => cause switch
    {
        ThrottleRefusal.Policed => "over the limit (action=police)",
        ThrottleRefusal.QueueFull => "its queue was full (queue-depth)",
        _ => "it waited longer than max-wait",
    };
}
