namespace ThrottleFs.Qos;

/// <summary>Why a layer refused a request instead of letting it wait.</summary>
public enum ThrottleRefusal
{
    /// <summary><c>action=police</c>: it could not be admitted at once.</summary>
    Policed,

    /// <summary><c>queue-depth</c>: its member already had that many requests waiting in its direction.</summary>
    QueueFull,

    /// <summary><c>max-wait</c>: it waited that long in the layer's queue.</summary>
    TimedOut,
}
