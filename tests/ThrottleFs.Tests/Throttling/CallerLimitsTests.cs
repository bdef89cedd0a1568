using ThrottleFs.Configuration;
using ThrottleFs.Control;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;
using ThrottleFs.Qos.Tests;
using ThrottleFs.Throttling;

namespace ThrottleFs.Tests.Throttling;

/// <summary>
/// Limits by caller under a virtual clock, with QEMU's counts: a saturating reader against iops-total=100 gets 11
/// requests at once (the bucket holds 10) and then one every 10 ms, 1011 in 10 s. Rules and groups come from real
/// config files, read as a mount reads them.
/// </summary>
public sealed class CallerLimitsTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1);
    private static readonly RequestContext Root = new(0, 0, 100), Alice = new(1000, 1000, 200), Bob = new(2000, 2000, 300);
    private readonly VirtualClock _clock = new();

    [Fact]
    public void APerUidGroup_GivesEachUserItsOwnBudget_SharedAcrossThatUsersFiles()
    {
        using var policy = Policy("""
            { "groups": { "users": { "per": "uid", "iops-total": 100 } }, "rules": [ { "match": "**", "group": "users" } ] }
            """);
        var alice1 = Reads(policy.Open("a.img", Alice));
        var alice2 = Reads(policy.Open("b.img", Alice));
        var bob = Reads(policy.Open("a.img", Bob)); // the same file as Alice's first: the user decides, not the file

        Workload.Run(_clock, TimeSpan.FromSeconds(10), Step, alice1, alice2, bob);

        Assert.InRange(alice1.Admitted + alice2.Admitted, 1008, 1014); // one budget for both of Alice's files: 1011
        Assert.InRange(Math.Abs(alice1.Admitted - alice2.Admitted), 0, 12); // round robin between her files, but for the first 11
        Assert.InRange(bob.Admitted, 1008, 1014); // Bob's own 1011, untouched by Alice's load
        var groups = policy.GetStatistics().Groups;
        Assert.Equal(["users[uid=1000]", "users[uid=2000]"], groups.Select(group => group.Name));
        Assert.Equal(["a.img", "b.img"], groups[0].Members);
        Assert.Equal(["a.img"], groups[1].Members);
        Assert.Equal("users[uid=1000], users[uid=2000]", policy.GetStatistics("a.img")!.Group);
    }

    [Fact]
    public void ACallerRuleOnProcessFio_ThrottlesFio_AndNotDd_ReadingTheSameFile()
    {
        using var policy = Policy("""{ "rules": [ { "process": "fio", "iops-total": 100 } ] }""", new CountingProcessNames(new() { [Root.Pid] = "fio", [Alice.Pid] = "dd" }));
        var fio = policy.Open("disk.img", Root);
        var dd = policy.Open("disk.img", Alice);
        var fioReads = Reads(fio);

        Workload.Run(_clock, TimeSpan.FromSeconds(10), Step, fioReads);

        Assert.InRange(fioReads.Admitted, 1008, 1014);
        Assert.Empty(dd.Chain.Layers); // dd passes no layer at all: nothing to wait for
        for (var i = 0; i < 5000; i++)
        {
            Assert.True(dd.AdmitAsync(ThrottleDirection.Read, 4096, default).IsCompletedSuccessfully);
        }
    }

    [Fact]
    public void RulesAreTriedInOrder_CallerConditionsAndPathTogether_AndFileEntriesApplyOnTop()
    {
        using var config = new TempConfig("""
            {
              "file-limits": { "iops-total": 1000 },
              "groups": { "batch": { "iops-total": 50 } },
              "rules": [
                { "match": "images/**", "uid": 1000, "iops-total": 200 },
                { "gid": 2000, "group": "batch" },
                { "match": "images/**", "iops-total": 500 }
              ],
              "files": { "images/db.img": { "iops-read": 7, "iops-write": 3, "iops-total": 0 } }
            }
            """);
        var limits = EffectiveLimits.Resolve(new ConfigSource(config.Path, []).Load(), RuntimeOverrides.None);

        Assert.Equal((200L, 0, (string?)null), Own(limits.ForCaller("images/vm.img", new Opener(1000, 1000, null))));
        Assert.Equal((1000L, 1, "batch"), Own(limits.ForCaller("images/vm.img", new Opener(2000, 2000, null))));
        Assert.Equal((500L, -1, (string?)null), Own(limits.ForCaller("images/vm.img", new Opener(0, 0, null))));
        Assert.Equal((1000L, -1, (string?)null), Own(limits.ForCaller("logs/x.log", new Opener(1000, 1000, null))));
        Assert.Equal((500L, -1, (string?)null), Own(limits.ForCaller("images/vm.img", Opener.Unknown))); // no uid: no uid rule

        var db = limits.ForCaller("images/db.img", new Opener(1000, 1000, null)).Own;
        Assert.Equal((0L, 7L, 3L), (db.IopsTotal.Avg, db.IopsRead.Avg, db.IopsWrite.Avg)); // the entry on top of the caller rule
    }

    [Fact]
    public void AFileEntry_ThatBreaksACallerRuleItMayMeet_IsRefusedNamingBoth()
    {
        using var config = new TempConfig("""
            { "rules": [ { "process": "fio", "iops-total": 100 } ], "files": { "a.img": { "iops-read": 10 } } }
            """);
        var error = Assert.Throws<ConfigException>(() => EffectiveLimits.Resolve(new ConfigSource(config.Path, []).Load(), RuntimeOverrides.None));

        Assert.Contains(error.Errors, e => e.Contains("file a.img (opened as rule process=fio says)") && e.Contains("iops-total and iops-read/iops-write cannot be used at the same time"));
    }

    [Fact]
    public void ACallersInstance_OutlivesItsLastFileByAMinute_AndIsDroppedOnceItsBucketsDrained()
    {
        using var policy = Policy("""
            { "groups": { "users": { "per": "uid", "iops-total": 10, "iops-total-max": 1000, "iops-total-max-length": 120 } },
              "rules": [ { "match": "**", "group": "users" } ] }
            """);
        var handle = policy.Open("a.img", Alice);
        var burst = Reads(handle);
        Workload.Run(_clock, TimeSpan.FromSeconds(1), Step, burst); // ~1000 requests of the 120,000-request burst budget
        policy.Close(handle);

        // A minute after the last file closed, the bucket still holds most of that second (it drains at 10 a second):
        // dropping it now would hand Alice back a burst she spent, so it stays.
        _clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Contains("users[uid=1000]", policy.GetStatistics().Groups.Select(group => group.Name));

        _clock.Advance(TimeSpan.FromSeconds(60)); // drained by now: ~1,070 requests (with the 64 let go at close) at 10 a second
        Assert.DoesNotContain("users[uid=1000]", policy.GetStatistics().Groups.Select(group => group.Name));

        // Alice comes back: a new instance, fresh buckets, as if she had never left.
        Assert.Contains("users[uid=1000]", Names(policy.Open("a.img", Alice)));
    }

    [Fact]
    public void AnInstanceInUse_OrOneUsedWithinTheMinute_IsKept()
    {
        using var policy = Policy("""
            { "groups": { "users": { "per": "uid", "iops-total": 100 }, "vms": { "iops-total": 10 } },
              "rules": [ { "match": "vm/**", "group": "vms" }, { "match": "**", "group": "users" } ] }
            """);
        policy.Open("a.img", Alice);
        policy.Close(policy.Open("b.img", Bob));
        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(["users[uid=1000]", "users[uid=2000]", "vms"], policy.GetStatistics().Groups.Select(group => group.Name));

        _clock.Advance(TimeSpan.FromSeconds(2));
        // Bob's idle instance goes; Alice's (open) and a group kept for all its files (vms, never used) stay.
        Assert.Equal(["users[uid=1000]", "vms"], policy.GetStatistics().Groups.Select(group => group.Name));
    }

    [Fact]
    public void AReloadThatSplitsAGroupPerUser_MovesOpenHandlesToTheirUsersInstances()
    {
        using var config = new TempConfig("""
            { "groups": { "users": { "iops-total": 100 } }, "rules": [ { "match": "**", "group": "users" } ] }
            """);
        using var policy = new ThrottlePolicy(new ConfigSource(config.Path, []).Load(), _clock);
        var alice = Reads(policy.Open("a.img", Alice));
        var bob = Reads(policy.Open("b.img", Bob));
        Workload.Run(_clock, TimeSpan.FromSeconds(10), Step, alice, bob);
        Assert.InRange(alice.Admitted + bob.Admitted, 1008, 1014); // one budget for both

        File.WriteAllText(config.Path, """
            { "groups": { "users": { "per": "uid", "iops-total": 100 } }, "rules": [ { "match": "**", "group": "users" } ] }
            """);
        policy.Reload(new ConfigSource(config.Path, []).Load(), "test");
        var (aliceBefore, bobBefore) = (alice.Admitted, bob.Admitted);
        Workload.Run(_clock, TimeSpan.FromSeconds(20), Step, alice, bob);

        // Each user's new instance starts with a full bucket; the requests the old group held were let go (64 each).
        Assert.InRange(alice.Admitted - aliceBefore, 1011 + 64 - 5, 1011 + 64 + 5);
        Assert.InRange(bob.Admitted - bobBefore, 1011 + 64 - 5, 1011 + 64 + 5);
        Assert.Equal(["users[uid=1000]", "users[uid=2000]"], policy.GetStatistics().Groups.Select(group => group.Name));
    }

    [Fact]
    public void ProgramNames_AreLookedUpOncePerProcess_AndOnlyWhenARuleNamesPrograms()
    {
        var names = new CountingProcessNames(new() { [Alice.Pid] = "fio" });
        using (var byUser = Policy("""{ "rules": [ { "uid": 1000, "iops-total": 100 } ] }""", names))
        {
            byUser.Open("a.img", Alice);
            Assert.Equal(0, names.Lookups);
        }

        using var policy = Policy("""{ "rules": [ { "process": "fio", "iops-total": 100 } ] }""", names);
        for (var i = 0; i < 1000; i++)
        {
            policy.Open($"f{i}.img", Alice);
        }

        Assert.Equal(1, names.Lookups);
        _clock.Advance(ProcessNameCache.Lifetime);
        policy.Open("g.img", Alice); // the id may belong to another program by now
        Assert.Equal(2, names.Lookups);
    }

    [Fact]
    public void AProgramRuleAddedByAReload_ReachesHandlesAlreadyOpen()
    {
        var names = new CountingProcessNames(new() { [Alice.Pid] = "qemu-system-x86_64" });
        using var config = new TempConfig("{}");
        using var policy = new ThrottlePolicy(new ConfigSource(config.Path, []).Load(), _clock, processes: names);
        var vm = policy.Open("vm.img", Alice);
        Assert.Empty(vm.Chain.Layers);

        File.WriteAllText(config.Path, """{ "rules": [ { "process": "qemu-system-x86_64", "iops-total": 100 } ] }""");
        policy.Reload(new ConfigSource(config.Path, []).Load(), "test");
        var reads = Reads(vm);
        Workload.Run(_clock, TimeSpan.FromSeconds(10), Step, reads);

        Assert.InRange(reads.Admitted, 1008, 1014);
    }

    [Theory]
    [InlineData("""{ "rules": [ { "iops-total": 5 } ] }""", "rules[0]: a rule needs \"match\"")]
    [InlineData("""{ "rules": [ { "uid": "alice", "iops-total": 5 } ] }""", "rules[0].uid: 'alice' is not a numeric uid")]
    [InlineData("""{ "rules": [ { "gid": -1, "iops-total": 5 } ] }""", "rules[0].gid: '-1' is not a numeric gid")]
    [InlineData("""{ "rules": [ { "process": "/usr/bin/fio", "iops-total": 5 } ] }""", "rules[0].process: '/usr/bin/fio' is not an executable's file name")]
    [InlineData("""{ "groups": { "users": { "per": "user", "iops-total": 5 } } }""", "groups.users.per: 'user' is not one of uid, gid, process")]
    public void ABadCallerSetting_IsRefusedNamingItsKey(string json, string expected)
    {
        using var config = new TempConfig(json);
        var error = Assert.Throws<ConfigException>(() => new ConfigSource(config.Path, []).Load());

        Assert.Contains(error.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void TheEffectiveConfig_WritesCallerRulesAndPer_AndLoadsBackToTheSameLimits()
    {
        using var config = new TempConfig("""
            { "groups": { "users": { "per": "uid", "iops-total": 500 } },
              "rules": [ { "process": "fio", "gid": 10, "iops-total": 100 }, { "match": "**", "group": "users" } ] }
            """);
        var limits = EffectiveLimits.Resolve(new ConfigSource(config.Path, []).Load(), RuntimeOverrides.None);
        using var written = new TempConfig(ConfigJson.Write(limits));
        var reloaded = EffectiveLimits.Resolve(new ConfigSource(written.Path, []).Load(), RuntimeOverrides.None);

        Assert.Equal(CallerField.Uid, reloaded.PerOf("users"));
        Assert.Equal(
            limits.Settings.Rules.Select(rule => (rule.ToString(), rule.Limits.ToString(), rule.Group)),
            reloaded.Settings.Rules.Select(rule => (rule.ToString(), rule.Limits.ToString(), rule.Group)));
        Assert.Equal(limits.ForCaller("x", new Opener(0, 10, "fio")), reloaded.ForCaller("x", new Opener(0, 10, "fio")));
    }

    private ThrottlePolicy Policy(string json, IProcessNames? names = null)
    {
        using var config = new TempConfig(json);
        return new ThrottlePolicy(new ConfigSource(config.Path, []).Load(), _clock, processes: names ?? new CountingProcessNames([]));
    }

    private static (long Iops, int Key, string? Group) Own((ThrottleConfig Own, int OwnKey, string? Group) resolved) =>
        (resolved.Own.IopsTotal.Avg, resolved.OwnKey, resolved.Group);

    private static IEnumerable<string> Names(HandleThrottle handle) =>
        handle.Chain.Layers.Select(layer => layer.Group?.Name ?? "");

    // A workload that reads the handle's chain afresh for every request, as the filesystem does.
    private static Workload Reads(HandleThrottle handle) => new(() => handle.Chain.AdmitAsync(ThrottleDirection.Read, 4096));

    private sealed class CountingProcessNames(Dictionary<uint, string> programs) : IProcessNames
    {
        public int Lookups { get; private set; }

        public string? NameOf(uint pid) => programs.GetValueOrDefault(pid);

        public string? ExecutableOf(uint pid)
        {
            Lookups++;
            return programs.GetValueOrDefault(pid);
        }
    }
}
