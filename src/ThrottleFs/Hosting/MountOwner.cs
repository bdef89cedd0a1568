namespace ThrottleFs.Hosting;

/// <summary>Who a mount belongs to: the user who mounted it (they and root may change its limits) and their group.</summary>
public readonly record struct MountOwner(uint Uid, uint Gid);
