namespace ThrottleFs.Qos;

/// <summary>
/// One participant of a <see cref="ThrottleGroup"/>, such as a file. Members share the group's buckets; each has
/// its own FIFO queue per direction, and waiting members are served in turn. Disposing the member leaves the
/// group: its waiting requests are let go unthrottled, as QEMU drains a member that is removed.
/// </summary>
public sealed class ThrottleGroupMember : IDisposable
{
    private ThrottleGroupMember[]? _alone; // this member as a chain of one, made on first use
    private ThrottleGroup? _group;

    internal ThrottleGroupMember(ThrottleGroup group, string name)
    {
        _group = group;
        Name = name;
        Queues[0] = new RequestQueue();
        Queues[1] = new RequestQueue();
        Counters[0] = new DirectionCounters(percentiles: false);
        Counters[1] = new DirectionCounters(percentiles: false);
    }

    /// <summary>The member's name, as shown in statistics.</summary>
    public string Name { get; }

    /// <summary>The group, or null once the member has left it.</summary>
    public ThrottleGroup? Group => Volatile.Read(ref _group);

    // The group's member list and this member's queues and counters, guarded by the group's lock.
    internal ThrottleGroupMember? Next { get; set; }

    internal ThrottleGroupMember? Previous { get; set; }

    internal PerDirection<RequestQueue> Queues;

    internal PerDirection<DirectionCounters> Counters;

    /// <summary>Waits until this member's group admits a request (a chain of this one layer).</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled while the request waited; it was not charged.</exception>
    /// <exception cref="ObjectDisposedException">The group was disposed.</exception>
    public ValueTask AdmitAsync(ThrottleDirection direction, long bytes, CancellationToken cancellationToken = default) =>
        WaitingRequest.Admit(_alone ??= [this], direction, bytes, cancellationToken);

    /// <summary>What this member has done.</summary>
    public ThrottleMemberStatistics GetStatistics() =>
        Group?.GetStatistics(this) ?? new(Name, Counters[0].Snapshot(), Counters[1].Snapshot());

    /// <summary>Leaves the group. Idempotent.</summary>
    public void Dispose() => Group?.Leave(this);

    internal void Detach() => Volatile.Write(ref _group, null);

    // A member that has left limits nothing: a request still walking a chain through it passes.
    internal LayerOutcome Enter(ThrottleDirection direction, ref Admission admission, ref WaitingRequest? request, ThrottleGroupMember[] layers, int layer, out ThrottleRefusedException? refusal)
    {
        refusal = null;
        return Group?.Enter(this, direction, ref admission, ref request, layers, layer, out refusal) ?? LayerOutcome.Admitted;
    }

    internal void Refund(ThrottleDirection direction, long bytes) => Group?.Refund(this, direction, bytes);

    internal void Cancel(WaitingRequest request) => Group?.Cancel(this, request);
}
