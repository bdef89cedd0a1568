namespace ThrottleFs.Qos;

/// <summary>
/// Buckets kept in a store that several hosts share, so one limit holds across all of them. The store refills them by
/// its own clock and hands their credit out in leases; <see cref="SharedLease"/> spends a lease locally.
/// </summary>
public interface ISharedBuckets
{
    /// <summary>
    /// Leases credit from group <see cref="LeaseRequest.Group"/>'s buckets under its limits: per bucket at most what
    /// was asked, what the bucket holds now, and the host's share of it in proportion to the demand of the hosts
    /// asking. An ask of nothing registers the host and reads the others.
    /// </summary>
    Task<LeaseGrant> LeaseAsync(LeaseRequest request);

    /// <summary>Gives unspent credit back to the buckets and marks the host as wanting nothing.</summary>
    Task ReturnAsync(LeaseRequest request);
}
