using ThrottleFs.FileSystem;
using ThrottleFs.Qos;

namespace ThrottleFs.Throttling;

/// <summary>
/// The throttle state of one file, by path: its own buckets (when it has limits of its own), its place in its group
/// and in the mount-wide layer, the chain of those a request passes, and end-to-end counters. It outlives the open
/// handles for a while, so closing and reopening a file neither resets its burst budget nor loses its statistics.
/// Layers change when the limits do; the chain is rebuilt and swapped, and the data path reads it without a lock.
/// Requests are admitted here, apart from any filesystem: <see cref="ThrottledFileSystem"/> is one user.
/// </summary>
internal sealed class FileThrottle(string path, ThrottlePolicy policy)
{
    private volatile ThrottleChain _chain = ThrottleChain.Empty;

    public string Path { get; } = path;

    /// <summary>The policy the file belongs to: its clock and log.</summary>
    public ThrottlePolicy Policy { get; } = policy;

    public AdmissionMeter Meter { get; } = new();

    /// <summary>The layers a request passes now.</summary>
    public ThrottleChain Chain => _chain;

    /// <summary>
    /// Admits a request at once when every layer lets it through, counted with two interlocked adds and no
    /// allocation. Otherwise the request is counted as waiting and <paramref name="pending"/> is what to await.
    /// </summary>
    public bool TryAdmitNow(ThrottleDirection direction, long bytes, CancellationToken cancellationToken, out PendingAdmission pending)
    {
        var admission = Chain.AdmitAsync(direction, bytes, cancellationToken);
        if (admission.IsCompletedSuccessfully)
        {
            admission.GetAwaiter().GetResult();
            Meter.RecordImmediate(direction, bytes);
            pending = default;
            return true;
        }

        Meter.RecordQueued(direction);
        pending = new PendingAdmission(admission, this, direction, bytes, Policy.Time.GetTimestamp());
        return false;
    }

    /// <summary>Admits a request, waiting when a layer says so: <see cref="Errno.Success"/>, or why it was not admitted.</summary>
    public ValueTask<Errno> AdmitAsync(ThrottleDirection direction, long bytes, CancellationToken cancellationToken) =>
        TryAdmitNow(direction, bytes, cancellationToken, out var pending) ? new(Errno.Success) : pending.WaitAsync();

    // The rest is guarded by the policy's lock.
    public int Opens { get; set; }

    public ThrottleGroup? Own { get; private set; }

    public ThrottleGroup? Group => GroupMember?.Group;

    public LinkedListNode<FileThrottle>? Retained { get; set; }

    private ThrottleGroupMember? OwnMember { get; set; }

    private ThrottleGroupMember? GroupMember { get; set; }

    private ThrottleGroupMember? MountMember { get; set; }

    /// <summary>
    /// Puts the file under <paramref name="own"/> limits, in <paramref name="group"/> (or none), behind the mount's
    /// layer. Requests waiting in a layer that changes limits are re-evaluated by it; requests waiting in a layer the
    /// file leaves are let go, as QEMU drains a member that leaves its group.
    /// </summary>
    public void Configure(ThrottleConfig own, ThrottleGroup? group, ThrottleGroup mount)
    {
        var retired = new List<IDisposable>();
        if (own.IsEnabled && Own is null)
        {
            Own = new ThrottleGroup(Path, own, Policy.Time, waitPercentiles: false); // the file's meter has them
            OwnMember = Own.Join(Path);
        }
        else if (own.IsEnabled)
        {
            Own!.Reconfigure(own);
        }
        else if (Own is not null)
        {
            retired.Add(OwnMember!);
            retired.Add(Own);
            (Own, OwnMember) = (null, null);
        }

        if (GroupMember?.Group != group)
        {
            if (GroupMember is not null)
            {
                retired.Add(GroupMember);
            }

            GroupMember = group?.Join(Path);
        }

        // An unlimited mount layer limits nothing and is left out of the chain, so the file joins it only once it has
        // limits (ThrottlePolicy re-chains every file then), and leaves it when they go.
        if (mount.Config.IsEnabled)
        {
            MountMember ??= mount.Join(Path);
        }
        else if (MountMember is not null)
        {
            retired.Add(MountMember);
            MountMember = null;
        }

        ThrottleGroupMember?[] layers = [OwnMember, GroupMember, MountMember];
        _chain = layers.Any(layer => layer is not null) ? new ThrottleChain([.. layers.OfType<ThrottleGroupMember>()]) : ThrottleChain.Empty;

        // Only once no new request can find them in the chain.
        foreach (var layer in retired)
        {
            layer.Dispose();
        }
    }

    /// <summary>
    /// Stops the file's own buckets, failing what waits in them, and leaves the shared layers (which let the file's
    /// waiting requests go, unless they were disposed first: <see cref="ThrottlePolicy.Dispose"/>).
    /// </summary>
    public void Dispose()
    {
        _chain = ThrottleChain.Empty;
        Own?.Dispose();
        OwnMember?.Dispose();
        GroupMember?.Dispose();
        MountMember?.Dispose();
    }
}
