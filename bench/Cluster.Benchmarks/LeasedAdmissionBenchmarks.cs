using BenchmarkDotNet.Attributes;
using ThrottleFs.Qos;

namespace ThrottleFs.Cluster.Benchmarks;

/// <summary>
/// What a request pays to pass a cluster-wide group whose host holds credit, beside a local group with the same limit:
/// the leased path spends a balance instead of leaking a bucket. The store answers at once, so the lease is never short
/// for long; its calls happen on a timer, off the request path, and are measured by <c>saturate</c>.
/// </summary>
[MemoryDiagnoser]
public class LeasedAdmissionBenchmarks
{
    private const string Limit = "iops-total=1000000000000";
    private ThrottleGroup _local = null!;
    private ThrottleGroup _leased = null!;
    private SharedLease _lease = null!;
    private ThrottleGroupMember _localMember = null!;
    private ThrottleGroupMember _leasedMember = null!;

    [GlobalSetup]
    public void Setup()
    {
        _local = new ThrottleGroup("local", ThrottleConfig.Parse(Limit));
        _leased = new ThrottleGroup("leased", ThrottleConfig.Parse(Limit));
        _lease = new SharedLease(_leased, "bench", new InstantStore());
        _localMember = _local.Join("file");
        _leasedMember = _leased.Join("file");

        // The first request finds no credit and waits for the first lease.
        _leasedMember.AdmitAsync(ThrottleDirection.Read, 4096).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _lease.Dispose();
        _leased.Dispose();
        _local.Dispose();
    }

    [Benchmark(Baseline = true, Description = "local group, iops-total")]
    public ValueTask Local() => _localMember.AdmitAsync(ThrottleDirection.Read, 4096);

    [Benchmark(Description = "cluster-wide group holding credit, iops-total")]
    public ValueTask Leased() => _leasedMember.AdmitAsync(ThrottleDirection.Read, 4096);
}
