using System.Collections.Immutable;
using ThrottleFs.Configuration;
using ThrottleFs.Qos;
using ThrottleFs.Qos.Tests;
using ThrottleFs.Throttling;

namespace ThrottleFs.Tests;

/// <summary>The policy under a virtual clock: live changes, reloads, groups and statistics, with exact counts.</summary>
public sealed class ThrottlePolicyTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1);
    private readonly VirtualClock _clock = new();
    private readonly ThrottlePolicy _policy;

    public ThrottlePolicyTests() =>
        _policy = new ThrottlePolicy(
            new ThrottleFsSettings
            {
                FileLimits = ThrottleSpec.Parse("iops-total=100"),
                Groups = new Dictionary<string, ThrottleSpec> { ["vms"] = ThrottleSpec.Parse("iops-total=50") }.ToImmutableSortedDictionary(),
            },
            _clock);

    public void Dispose() => _policy.Dispose();

    [Fact]
    public void MountLimitsSetLive_ReachFilesAlreadyOpen_AndClearingThemFreesThem()
    {
        // A file's own iops-total=100 allows 1011 reads in 10 s; a live mount limit of 20 IOPS (bucket 2, so 3 at
        // once then one every 50 ms: 3 + 200 = 203 in 10 s) must bind a file that was open before it was set.
        var file = _policy.Open("vm1.img");
        _policy.Apply(ControlCommand.Parse("mount iops-total=20")!, "test");
        var load = Reads(file);
        Workload.Run(_clock, TimeSpan.FromSeconds(10), Step, load);
        Assert.InRange(load.Admitted, 200, 206);

        _policy.Apply(ControlCommand.Parse("clear mount")!, "test");
        var atTen = load.Admitted;
        Workload.Run(_clock, TimeSpan.FromSeconds(20), Step, load);
        // Its own 100 IOPS again (1011 in 10 s), plus the 64 reads the mount layer held: a layer a file leaves lets
        // its waiting requests go, as QEMU drains a member that leaves its group.
        Assert.InRange(load.Admitted - atTen, 1011 + 64 - 3, 1011 + 64 + 3);
    }

    [Fact]
    public void LoweringALimit_SlowsRequestsAlreadyWaiting_FromTheNextTimerOn()
    {
        var file = _policy.Open("vm1.img");
        var load = Reads(file);
        Workload.Run(_clock, TimeSpan.FromSeconds(10), Step, load);
        var atTen = load.Admitted;
        Assert.InRange(atTen, 1005, 1015); // QEMU's N(10 s) at 100 IOPS is 1011

        _policy.Apply(ControlCommand.Parse("file vm1.img iops-total=10")!, "test");
        Workload.Run(_clock, TimeSpan.FromSeconds(20), Step, load);
        Assert.InRange(load.Admitted - atTen, 95, 105); // 10 s at 10 IOPS, the queue re-evaluated at once

        _policy.Apply(ControlCommand.Parse("clear file vm1.img")!, "test"); // back to the config's 100
        var atTwenty = load.Admitted;
        Workload.Run(_clock, TimeSpan.FromSeconds(30), Step, load);
        Assert.InRange(load.Admitted - atTwenty, 990, 1010);
    }

    [Fact]
    public void AssigningAGroup_AddsItsLayer_AndTheGroupSharesItsBudget()
    {
        var a = Reads(_policy.Open("a.img"));
        var b = Reads(_policy.Open("b.img"));
        _policy.Apply(ControlCommand.Parse("assign a.img vms")!, "test");
        _policy.Apply(ControlCommand.Parse("assign b.img vms")!, "test");
        Workload.Run(_clock, TimeSpan.FromSeconds(10), Step, a, b);

        // Each file alone may do 100 IOPS; together the group holds them to 50, shared round-robin.
        Assert.InRange(a.Admitted + b.Admitted, 500, 515);
        Assert.InRange(a.Admitted - b.Admitted, -8, 8); // round-robin; the instant burst goes to whoever asks first

        var statistics = _policy.GetStatistics();
        var vms = Assert.Single(statistics.Groups);
        Assert.Equal(["a.img", "b.img"], vms.Members);
        Assert.Equal(a.Admitted + b.Admitted, vms.Read.Ops);
        Assert.Equal("vms", statistics.Files.Single(f => f.Path == "a.img").Group);
    }

    [Fact]
    public void RefusedChanges_LeaveEverythingAsItWas()
    {
        var file = _policy.Open("vm1.img");
        _policy.Apply(ControlCommand.Parse("file vm1.img iops-total=70")!, "test");
        var before = _policy.Limits;
        var chain = file.Chain;

        // Breaks QEMU's rule (max without avg is fine only when avg is set), names an unknown group, and clears a
        // group a file still uses: each refused whole.
        Assert.Throws<ConfigException>(() => _policy.Apply(ControlCommand.Parse("file vm1.img iops-total=0,iops-total-max=10")!, "test"));
        Assert.Throws<ConfigException>(() => _policy.Apply(ControlCommand.Parse("assign vm1.img nope")!, "test"));
        _policy.Apply(ControlCommand.Parse("group temp iops-total=5")!, "test");
        _policy.Apply(ControlCommand.Parse("assign vm1.img temp")!, "test");
        var withTemp = _policy.Limits;
        var refused = Assert.Throws<ConfigException>(() => _policy.Apply(ControlCommand.Parse("clear group temp")!, "test"));
        Assert.Contains("file vm1.img: group 'temp' is not defined", refused.Message);

        Assert.Same(withTemp, _policy.Limits);
        Assert.Equal(70, before.ForFile("vm1.img").Own.IopsTotal.Avg);
        Assert.NotSame(chain, file.Chain); // the accepted assign rebuilt it
        Assert.Equal(2, file.Chain.Layers.Count); // its own 70, then temp's 5 (the mount has no limits: no layer)
    }

    [Fact]
    public void Reload_KeepsLiveChanges_AndIsRefusedWhenItWouldBreakThem()
    {
        _policy.Open("vm1.img");
        _policy.Apply(ControlCommand.Parse("assign vm1.img vms")!, "test");
        _policy.Apply(ControlCommand.Parse("file vm1.img iops-total=40")!, "test");

        _policy.Reload(new ThrottleFsSettings
        {
            FileLimits = ThrottleSpec.Parse("iops-total=300"),
            MountLimits = ThrottleSpec.Parse("bps-total=10M"),
            Groups = new Dictionary<string, ThrottleSpec> { ["vms"] = ThrottleSpec.Parse("iops-total=60") }.ToImmutableSortedDictionary(),
        }, "test");
        Assert.Equal((40, "vms"), (_policy.Limits.ForFile("vm1.img").Own.IopsTotal.Avg, _policy.Limits.ForFile("vm1.img").Group));
        Assert.Equal(60, _policy.Limits.Groups["vms"].IopsTotal.Avg);
        Assert.Equal(10L << 20, _policy.Mount.Config.BpsTotal.Avg);

        var current = _policy.Limits;
        var refused = Assert.Throws<ConfigException>(() => _policy.Reload(ThrottleFsSettings.Empty, "test"));
        Assert.Contains("group 'vms' is not defined", refused.Message);
        Assert.Same(current, _policy.Limits);
        Assert.Equal(10L << 20, _policy.Mount.Config.BpsTotal.Avg);
    }

    [Fact]
    public void ClosedFiles_KeepTheirBucketsAndCounters_SoReopeningDoesNotResetTheBurst()
    {
        var file = _policy.Open("vm1.img");
        var load = Reads(file);
        Workload.Run(_clock, TimeSpan.FromSeconds(2), Step, load);
        _policy.Close(file);

        var closed = _policy.GetStatistics().Files.Single();
        Assert.Equal(0, closed.Opens);
        Assert.True(closed.Buckets.Single().Level > 0, "the closed file's bucket still holds its recent I/O");
        Assert.Same(file.File, _policy.Open("vm1.img").File);
    }

    [Fact]
    public void FileStatistics_AreEndToEnd_AcrossLayers()
    {
        _policy.Apply(ControlCommand.Parse("mount iops-total=20")!, "test");
        var file = _policy.Open("vm1.img");
        var load = Reads(file);
        Workload.Run(_clock, TimeSpan.FromSeconds(5), Step, load);
        load.Collect();

        var statistics = _policy.GetStatistics();
        var stats = statistics.Files.Single();

        // The mount's 20 IOPS holds the file below its own 100: its own layer never waits, the mount does.
        Assert.InRange(load.Admitted, 95, 105);
        Assert.Equal("iops-total=100", stats.Limits);
        Assert.Equal("iops-total=20", statistics.Mount.Limits);
        Assert.Equal(load.Admitted, (int)statistics.Mount.Read.Ops);
        Assert.Equal(["vm1.img"], statistics.Mount.Members);
        Assert.Equal("iops-total", Assert.Single(stats.Buckets).Bucket);
        Assert.Equal(100, stats.Buckets[0].Avg);
    }

    // A workload that reads the file's chain afresh for every request, as the filesystem does.
    private static Workload Reads(HandleThrottle file, long bytes = 4096) => new(() => file.Chain.AdmitAsync(ThrottleDirection.Read, bytes));
}
