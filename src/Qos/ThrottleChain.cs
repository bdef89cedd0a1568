namespace ThrottleFs.Qos;

/// <summary>
/// The ordered layers a request passes, e.g. a file's own buckets, then its group's, then the mount's. Each layer
/// admits and charges the request in turn, as QEMU's chained throttle filters do: a request waiting at an inner
/// layer has already been charged at the outer ones, and a cancelled request is refunded only by the layer it was
/// waiting in. Immutable; to change a file's layers, build a new chain.
/// </summary>
public sealed class ThrottleChain
{
    private readonly ThrottleGroupMember[] _layers;

    /// <summary>Creates a chain; requests pass the layers in the order given.</summary>
    public ThrottleChain(params ReadOnlySpan<ThrottleGroupMember> layers) => _layers = layers.ToArray();

    /// <summary>A chain with no layers: every request passes at once.</summary>
    public static ThrottleChain Empty { get; } = new();

    /// <summary>The layers, outermost first.</summary>
    public IReadOnlyList<ThrottleGroupMember> Layers => _layers;

    /// <summary>
    /// Waits until every layer admits a request of <paramref name="bytes"/> in <paramref name="direction"/>.
    /// Completes synchronously, allocating nothing, when no layer has to wait. Holds no thread while waiting.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled while the request waited; it was not charged where it waited.</exception>
    /// <exception cref="ObjectDisposedException">A layer's group was disposed.</exception>
    public ValueTask AdmitAsync(ThrottleDirection direction, long bytes, CancellationToken cancellationToken = default) =>
        WaitingRequest.Admit(_layers, direction, bytes, cancellationToken);
}
