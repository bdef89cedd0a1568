namespace ThrottleFs.Qos;

/// <summary>Where a cluster-wide group's credit comes from.</summary>
public enum SharedLeaseMode
{
    /// <summary>Leased from the shared store.</summary>
    Leasing,

    /// <summary>The store cannot be reached: local limits (the fallback share) apply until it answers again.</summary>
    Fallback,
}
