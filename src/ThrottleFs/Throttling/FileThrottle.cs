using ThrottleFs.Qos;

namespace ThrottleFs.Throttling;

/// <summary>
/// The throttle layers of one file while it is open: its own buckets (when per-file limits are set) and its place in
/// the mount-wide group, chained in that order.
/// </summary>
internal sealed class FileThrottle(ulong node, string name, ThrottleGroup? own, ThrottleGroupMember? ownMember, ThrottleGroupMember? mountMember)
{
    public ulong Node { get; } = node;

    public string Name { get; } = name;

    public ThrottleGroup? Own { get; } = own;

    public ThrottleChain Chain { get; } = new([.. new[] { ownMember, mountMember }.OfType<ThrottleGroupMember>()]);

    /// <summary>Open handles on this file; guarded by the policy's lock.</summary>
    public int Opens { get; set; }

    public void Dispose()
    {
        foreach (var layer in Chain.Layers)
        {
            layer.Dispose();
        }

        Own?.Dispose();
    }
}
