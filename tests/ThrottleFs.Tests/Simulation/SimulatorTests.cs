using ThrottleFs.Configuration;
using ThrottleFs.Qos;
using ThrottleFs.Simulation;

namespace ThrottleFs.Tests.Simulation;

/// <summary>
/// Replays of synthetic traces through the engine on the virtual clock, against the numbers the bucket rules give
/// (qos-semantics.md: QEMU's leaky buckets, librbd's token bucket).
/// </summary>
public sealed class SimulatorTests
{
    private const long Ms = 1_000_000;
    private const long Second = 1_000_000_000;

    [Fact]
    public void ClosedLoop_2000BackToBackReads_UnderIops100_Leaky_Last1989HundredthsOfASecond()
    {
        // 11 pass at once (a bucket of avg/10 = 10 admits while its level is at most 10), then one every 10 ms.
        var result = Simulate(BackToBack(2000), "iops-total=100", SimulationMode.Closed);

        Assert.Equal(2000, result.Mount.Ops);
        Assert.InRange(result.Mount.DurationNs, (1989 * Second / 100) - 1000, (1989 * Second / 100) + 1000);
        Assert.Equal(1989, result.Mount.WaitedOps);
        Assert.InRange(result.Mount.WaitMaxNs, (10 * Ms) - 1000, (10 * Ms) + 1000);
        Assert.Equal(1, result.Mount.PeakQueueDepth); // the recording had one request in flight at a time
    }

    [Fact]
    public void ClosedLoop_2000BackToBackReads_UnderIops100_Token_FiveEvery50Ms()
    {
        // librbd: a tick of max(1000/100 ms, 50 ms) = 50 ms brings 5 tokens; 5 are spendable at once after configuration.
        var result = Simulate(BackToBack(2000), "iops-total=100,algorithm=token", SimulationMode.Closed);

        Assert.Equal(2000, result.Mount.Ops);
        Assert.Equal((2000 - 5) / 5 * 50 * Ms, result.Mount.DurationNs);
        Assert.Equal(399, result.Mount.WaitedOps); // one a tick waits for it; the next four spend its other tokens at once
    }

    [Fact]
    public void OpenLoop_At1000PerSecond_UnderIops100_Leaky_WaitsAsTheBucketModelSays()
    {
        var trace = Steady(2000, Ms);
        var result = Simulate(trace, "iops-total=100", SimulationMode.Open);

        var expected = LeakyModel(trace, rate: 100, capacity: 10);
        AssertWaits(expected, result.Mount);
        Assert.InRange(result.Mount.DurationNs, expected.Last().Admitted - 1000, expected.Last().Admitted + 1000);
        Assert.True(result.Mount.PeakQueueDepth > 1500, $"arrivals at 10× the rate pile up: {result.Mount.PeakQueueDepth}");
    }

    [Fact]
    public void OpenLoop_At1000PerSecond_UnderIops100_Token_WaitsForTheTickThatServesThem()
    {
        var trace = Steady(2000, Ms);
        var result = Simulate(trace, "iops-total=100,algorithm=token", SimulationMode.Open);

        // The first 5 arrivals spend the tokens there are; after that request k goes with the tick at 50·⌊k/5⌋ ms.
        var expected = Enumerable.Range(0, 2000).Select(k => (Arrival: k * Ms, Admitted: k < 5 ? k * Ms : 50 * Ms * (k / 5))).ToList();
        AssertWaits(expected, result.Mount);
        Assert.Equal(1995 / 5 * 50 * Ms, result.Mount.DurationNs);
    }

    [Fact]
    public void OpenLoop_BelowTheLimit_AddsNoWait()
    {
        var result = Simulate(Steady(500, 20 * Ms), "iops-total=100", SimulationMode.Open); // 50/s under 100/s

        Assert.Equal(0, result.Mount.WaitedOps);
        Assert.Equal(0, result.Mount.WaitMaxNs);
        Assert.Equal(499 * 20 * Ms, result.Mount.DurationNs);
    }

    [Fact]
    public void ClosedLoop_KeepsTheRecordedQueueDepth_AndTheServiceTime()
    {
        // Recorded: four requests in flight at all times, each taking 4 ms at the backing store.
        var requests = Enumerable.Range(0, 1000).Select(k => new TraceRequest(0, ThrottleDirection.Read, k * 4096L, 4096, k * Ms, 0, 4 * Ms));
        var trace = IoTrace.From(["disk.img"], requests);

        var unlimited = Simulate(trace, "iops-read=1000000", SimulationMode.Closed);
        var limited = Simulate(trace, "iops-total=100", SimulationMode.Closed);

        Assert.InRange(unlimited.Mount.DurationNs, trace.DurationNs - Ms, trace.DurationNs + Ms);
        Assert.Equal(4, limited.Mount.PeakQueueDepth);
        // The limit, not the depth, sets the pace: 11 at once, then 100/s, and the last takes its 4 ms.
        Assert.InRange(limited.Mount.DurationNs, (989 * Second / 100) + (4 * Ms) - Ms, (989 * Second / 100) + (4 * Ms) + Ms);
    }

    [Fact]
    public void AGroup_IsReportedWithItsFiles_AndSharesItsLimitBetweenThem()
    {
        var requests = BackToBack(500).Requests.SelectMany(r => new[] { r, r with { File = 1 } });
        var trace = IoTrace.From(["a.img", "b.img"], requests);
        var settings = ThrottleFsSettings.Empty with
        {
            Groups = ThrottleFsSettings.Empty.Groups.Add("vms", ThrottleSpec.Parse("iops-total=100")),
            Rules = [new LimitRule(PathGlob.Parse("*.img"), ThrottleSpec.Empty, "vms")],
        };

        var result = Simulator.Run(trace, settings, SimulationMode.Closed, "vms");

        var group = Assert.Single(result.Groups);
        Assert.Equal("vms", group.Name);
        Assert.Equal(1000, group.Ops);
        Assert.InRange(group.DurationNs, (989 * Second / 100) - Ms, (989 * Second / 100) + Ms);
        Assert.All(result.Files, file => Assert.Equal(500, file.Ops));
    }

    [Fact]
    public void Policing_RefusesWhatTheBucketHasNoRoomFor()
    {
        var result = Simulate(Steady(1000, Ms), "iops-total=100,action=police", SimulationMode.Open);

        Assert.InRange(result.Mount.RefusedOps, 850, 900); // about 100/s of 1000/s pass, plus the first bucketful
        Assert.Equal(1000, result.Mount.Ops);
    }

    [Fact]
    public void TheSameTraceAndLimits_GiveTheSameResult()
    {
        var trace = IoTrace.From(["a", "b"], Enumerable.Range(0, 3000).Select(k => new TraceRequest(k % 2, (ThrottleDirection)(k % 3 == 0 ? 1 : 0), 0, 4096 * (1 + (k % 7)), k * 300_000L, 0, 50_000)));

        var first = Simulate(trace, "bps-total=4M,iops-total=500", SimulationMode.Open);
        var second = Simulate(trace, "bps-total=4M,iops-total=500", SimulationMode.Open);

        Assert.Equal(first.Mount, second.Mount);
        Assert.Equal(first.Files, second.Files);
    }

    internal static SimulationResult Simulate(IoTrace trace, string limit, SimulationMode mode) =>
        Simulator.Run(trace, ThrottleFsSettings.Empty with { FileLimits = ThrottleSpec.Parse(limit) }, mode, limit);

    internal static IoTrace BackToBack(int count) =>
        IoTrace.From(["disk.img"], Enumerable.Range(0, count).Select(k => new TraceRequest(0, ThrottleDirection.Read, k * 4096L, 4096, 0, 0, 0)));

    private static IoTrace Steady(int count, long everyNs) =>
        IoTrace.From(["disk.img"], Enumerable.Range(0, count).Select(k => new TraceRequest(0, ThrottleDirection.Read, k * 4096L, 4096, k * everyNs, 0, 0)));

    // QEMU's rules for one operations bucket, written out on their own: it leaks at rate per second; a request may go
    // when the level is at most capacity, else it waits (level − capacity) / rate; it then adds 1. FIFO.
    private static List<(long Arrival, long Admitted)> LeakyModel(IoTrace trace, double rate, double capacity)
    {
        var admissions = new List<(long, long)>();
        double level = 0, at = 0, previous = 0;
        foreach (var request in trace.Requests)
        {
            var t = Math.Max(request.ArrivalNs / 1e9, previous);
            level = Math.Max(0, level - (rate * (t - at)));
            at = t;
            if (level > capacity)
            {
                t += (level - capacity) / rate;
                level = capacity;
                at = t;
            }

            level += 1;
            previous = t;
            admissions.Add((request.ArrivalNs, (long)Math.Round(t * 1e9)));
        }

        return admissions;
    }

    private static void AssertWaits(List<(long Arrival, long Admitted)> expected, ScopeResult result)
    {
        var waits = expected.Select(e => e.Admitted - e.Arrival).Order().ToArray();
        long Rank(double p) => waits[(int)Math.Ceiling(p * waits.Length) - 1];
        Assert.Equal(waits.Count(w => w > 1000), result.WaitedOps);
        Assert.InRange(result.WaitP50Ns, Rank(0.5) - 1000, Rank(0.5) + 1000);
        Assert.InRange(result.WaitP90Ns, Rank(0.9) - 1000, Rank(0.9) + 1000);
        Assert.InRange(result.WaitP99Ns, Rank(0.99) - 1000, Rank(0.99) + 1000);
        Assert.InRange(result.WaitMaxNs, waits[^1] - 1000, waits[^1] + 1000);
    }
}
