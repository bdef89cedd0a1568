using ThrottleFs.Qos;

namespace ThrottleFs.Cluster.Benchmarks;

/// <summary>A store that grants whatever is asked at once: isolates the admission path from any store's latency.</summary>
internal sealed class InstantStore : ISharedBuckets
{
    private static readonly IReadOnlyList<SharingHost> Alone = [new("bench", 1, 0)];

    public Task<LeaseGrant> LeaseAsync(LeaseRequest request) => Task.FromResult(new LeaseGrant(request.Amounts, Alone));

    public Task ReturnAsync(LeaseRequest request) => Task.CompletedTask;
}
