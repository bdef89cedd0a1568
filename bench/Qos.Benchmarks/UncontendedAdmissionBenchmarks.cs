using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;

namespace ThrottleFs.Qos.Benchmarks;

/// <summary>
/// The admission path when no request has to wait: what every I/O pays when the limits are not reached.
/// The baseline is .NET's <see cref="TokenBucketRateLimiter"/> admitting the same request under a limit it
/// never reaches, through both its synchronous and its asynchronous API.
/// </summary>
[MemoryDiagnoser]
public class UncontendedAdmissionBenchmarks
{
    private const long Bytes = 4096;
    private ThrottleGroupMember _iops = null!;
    private ThrottleGroupMember _bpsAndIops = null!;
    private ThrottleGroupMember _token = null!;
    private ThrottleChain _chain = null!;
    private TokenBucketRateLimiter _limiter = null!;
    private TokenBucketRateLimiter _replenishedOnDemand = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Limits far above what one core can issue, so nothing ever waits.
        _iops = Member("iops-total=1000000000000");
        _bpsAndIops = Member("iops-read=1000000000000,bps-read=1000000000000000");
        _token = Member("iops-total=1000000000000,algorithm=token");
        _chain = new ThrottleChain(Member("iops-total=1000000000000"), Member("bps-total=1000000000000000"), Member("iops-total=1000000000000"));
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = int.MaxValue,
            TokensPerPeriod = int.MaxValue,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(1),
            AutoReplenishment = true,
            QueueLimit = int.MaxValue,
        });

        // The same limiter refilled by the caller instead of by a timer: like our lazy leak, it reads the clock
        // on every request.
        _replenishedOnDemand = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = int.MaxValue,
            TokensPerPeriod = int.MaxValue,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(1),
            AutoReplenishment = false,
            QueueLimit = int.MaxValue,
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _iops.Group!.Dispose();
        _limiter.Dispose();
        _replenishedOnDemand.Dispose();
    }

    [Benchmark(Baseline = true, Description = "TokenBucketRateLimiter.AttemptAcquire")]
    public bool DotNetAttemptAcquire()
    {
        using var lease = _limiter.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    [Benchmark(Description = "TokenBucketRateLimiter.AcquireAsync")]
    public bool DotNetAcquireAsync()
    {
        using var lease = _limiter.AcquireAsync(1).GetAwaiter().GetResult();
        return lease.IsAcquired;
    }

    [Benchmark(Description = "TokenBucketRateLimiter.TryReplenish + AttemptAcquire")]
    public bool DotNetReplenishOnDemand()
    {
        _replenishedOnDemand.TryReplenish();
        using var lease = _replenishedOnDemand.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    // What exact leaky buckets must pay on every admission and a timer-replenished limiter does not.
    [Benchmark(Description = "TimeProvider.System.GetTimestamp (one clock read)")]
    public long ClockRead() => TimeProvider.System.GetTimestamp();

    [Benchmark(Description = "ThrottleGroupMember.AdmitAsync, iops-total (leaky)")]
    public void LeakyIops() => _iops.AdmitAsync(ThrottleDirection.Read, Bytes).GetAwaiter().GetResult();

    [Benchmark(Description = "ThrottleGroupMember.AdmitAsync, bps-read + iops-read (leaky)")]
    public void LeakyBpsAndIops() => _bpsAndIops.AdmitAsync(ThrottleDirection.Read, Bytes).GetAwaiter().GetResult();

    [Benchmark(Description = "ThrottleGroupMember.AdmitAsync, iops-total (token)")]
    public void TokenIops() => _token.AdmitAsync(ThrottleDirection.Read, Bytes).GetAwaiter().GetResult();

    [Benchmark(Description = "ThrottleChain.AdmitAsync, 3 layers (file, group, mount)")]
    public void Chain() => _chain.AdmitAsync(ThrottleDirection.Read, Bytes).GetAwaiter().GetResult();

    private static ThrottleGroupMember Member(string spec) => new ThrottleGroup("bench", ThrottleConfig.Parse(spec)).Join("file");
}
