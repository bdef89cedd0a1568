using System.Diagnostics;
using System.Text.Json;
using ThrottleFs.Tests.Cluster;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// Cluster-wide groups across real daemons: each "host" is a mount of its own (own daemon, own backing directory) with
/// the same cluster section, against a real redis-server started for the test. fio reads with O_DIRECT at queue depth 1
/// for 10 s on every host at once; against iops-total=200 the single-host model completes 2,011 (QEMU: 11 at once,
/// then one every 5 ms). Tolerance ±3 % on the combined count, as for one host; each host's part within 40–60 % of two.
/// </summary>
public sealed class ClusterTests : IClassFixture<RedisServer>
{
    private const int Model = 2_011;
    private readonly RedisServer _redis;
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..8]; // each test a cluster of its own

    public ClusterTests(RedisServer redis)
    {
        _redis = redis.Running();
    }

    [Fact]
    public void TwoHostsShareOneLimit_EvenlyAndInFull()
    {
        using var a = Host("hv1");
        using var b = Host("hv2");

        var reads = RunFio(a, b);

        Assert.All(reads, outcome => Assert.Equal(0, outcome.Errors));
        var total = reads.Sum(outcome => outcome.ReadIos);
        Assert.InRange(total, Model * 0.97, Model * 1.03);
        Assert.All(reads, outcome => Assert.InRange(outcome.ReadIos, total * 0.4, total * 0.6));
        var cluster = Cluster(a);
        Assert.Equal("leasing", cluster.GetProperty("state").GetString());
        Assert.Equal(["hv1", "hv2"], cluster.GetProperty("hosts").EnumerateArray().Select(host => host.GetProperty("name").GetString()));
    }

    [Fact]
    public void AThirdHostGetsAThird_AndAHostAloneGetsTheWholeLimit()
    {
        using var a = Host("hv1");
        using var b = Host("hv2");
        using var c = Host("hv3");

        var three = RunFio(a, b, c);
        var alone = RunFio(seconds: 5, a).Single();

        var total = three.Sum(outcome => outcome.ReadIos);
        Assert.InRange(total, Model * 0.97, Model * 1.03);
        Assert.All(three, outcome => Assert.InRange(outcome.ReadIos, total * 0.28, total * 0.39));
        Assert.InRange(alone.ReadIos, 1_011 * 0.97, 1_011 * 1.03); // the model for 5 s: the whole limit
    }

    [Fact]
    public void ALiveChangeOnOneHost_IsInForceOnTheOtherWithinASecond()
    {
        using var a = Host("hv1");
        using var b = Host("hv2");
        var prefix = Path.Combine(b.Root, "fio");
        var clock = Stopwatch.StartNew();
        var fio = Task.Run(() => Fio.Run([.. Job(b, seconds: 8), $"--write_iops_log={prefix}", "--log_avg_msec=250"]));
        Thread.Sleep(TimeSpan.FromSeconds(3));
        var changedMs = clock.ElapsedMilliseconds;
        var set = Tool.ThrottleFs("set", a.Point, "group", "vms", "iops-total=50");
        Assert.True(set.ExitCode == 0, set.ToString());
        var outcome = fio.Result;

        Assert.Equal(0, outcome.Errors);
        var log = IopsLog.Read(Directory.GetFiles(b.Root, "fio_iops*.log").Single());
        Assert.True(log.Rate(1000, changedMs - 250) is >= 170 and <= 230, log.ToString());
        Assert.InRange(log.Rate(changedMs + 1000, 8000), 42, 58);
        Assert.Contains("iops-total=50", Layer(b).GetProperty("limits").GetString());
    }

    [Fact]
    public void RedisStoppedMidRun_HostsGoOnAtTheirFallbackWithoutErrors_AndRejoinWhenItIsBack()
    {
        using var a = Host("hv1", fallback: "iops-total=50");
        using var b = Host("hv2", fallback: "iops-total=50");
        var logs = Path.Combine(a.Root, "fio");
        var clock = Stopwatch.StartNew();

        // One fio, a job per host, so that both start together and their logs share a clock.
        var fio = Task.Run(() => Fio.Run([$"--write_iops_log={logs}", "--log_avg_msec=250", .. Job(a, seconds: 14, name: "a"), .. Job(b, seconds: 14, name: "b")]));

        Thread.Sleep(TimeSpan.FromSeconds(3));
        var stoppedMs = clock.ElapsedMilliseconds;
        _redis.Stop();
        Thread.Sleep(TimeSpan.FromSeconds(4));
        Assert.Equal("fallback", Cluster(a).GetProperty("state").GetString());
        var restartedMs = clock.ElapsedMilliseconds;
        _redis.Start(); // empty: the restart lost every key
        var outcome = fio.Result;

        Assert.True(outcome.Errors == 0 && outcome.FailedIos == 0, outcome.Raw);
        var rates = Directory.GetFiles(a.Root, "fio_iops*.log").Order().Select(IopsLog.Read).ToList();
        Assert.Equal(2, rates.Count);
        var during = rates.Sum(log => log.Rate(stoppedMs + 1000, restartedMs));
        var after = rates.Sum(log => log.Rate(restartedMs + 3000, 13_500));
        var shown = $"stopped at {stoppedMs} ms, restarted at {restartedMs} ms; {string.Join("; ", rates)}";
        Assert.True(during is >= 85 and <= 115, $"{during:F0} IOPS during the outage, not 50 on each host: {shown}");
        Assert.True(after is >= 180 and <= 220, $"{after:F0} IOPS after Redis came back, not the shared 200: {shown}");
        Assert.Equal("leasing", Cluster(a).GetProperty("state").GetString());
        var logged = string.Concat(Directory.GetFiles(a.Root, "throttlefs*.log").Select(File.ReadAllText)); // rolled daily: named by date
        Assert.Contains("this host runs it on its fallback share (iops-total=50)", logged);
        Assert.Contains("Redis answers again", logged);
    }

    [Fact]
    public void AMountComesUpWhileRedisIsDown_OnItsFallback_AndJoinsOnceRedisAnswers()
    {
        _redis.Stop();
        try
        {
            using var a = Host("hv1", fallback: "iops-total=50");
            var outcome = Fio.Run(Job(a, seconds: 4));
            Assert.Equal(0, outcome.Errors);
            Assert.InRange(outcome.ReadIos, (50 * 4 * 0.97) + 5, (50 * 4 * 1.03) + 6); // 5 at once, then 50 a second
            Assert.Equal("fallback", Cluster(a).GetProperty("state").GetString());

            _redis.Start();
            var joined = Stopwatch.StartNew();
            while (Cluster(a).GetProperty("state").GetString() != "leasing" || Fio.Run(Job(a, seconds: 1)).ReadIos < 150)
            {
                Assert.True(joined.Elapsed < TimeSpan.FromSeconds(15), "the mount did not join the cluster within 15 s of Redis answering");
            }
        }
        finally
        {
            if (!_redis.IsRunning)
            {
                _redis.Start();
            }
        }
    }

    private MountedFileSystem Host(string name, string? fallback = null)
    {
        var root = Directory.CreateTempSubdirectory("throttlefs-cluster-").FullName;
        var config = Path.Combine(root, "throttlefs.json");
        var group = new Dictionary<string, object> { ["scope"] = "cluster", ["iops-total"] = 200 };
        if (fallback is not null)
        {
            group["fallback"] = fallback;
        }

        File.WriteAllText(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["cluster"] = new Dictionary<string, string> { ["redis"] = _redis.Configuration, ["prefix"] = _prefix, ["host"] = name },
            ["groups"] = new Dictionary<string, object> { ["vms"] = group },
            ["rules"] = new[] { new Dictionary<string, string> { ["match"] = "**", ["group"] = "vms" } },
            ["logging"] = new Dictionary<string, string> { ["file"] = Path.Combine(root, "throttlefs.log") },
        }));
        var backing = Directory.CreateDirectory(Path.Combine(root, "backing")).FullName;
        using (var file = File.Create(Path.Combine(backing, "disk.img")))
        {
            file.SetLength(64 << 20);
        }

        return MountedFileSystem.Mount(root, backing, Directory.CreateDirectory(Path.Combine(root, "mnt")).FullName, "--config", config);
    }

    private static string[] Job(MountedFileSystem host, int seconds = 10, string name = "vm") =>
        [$"--name={name}", $"--filename={host.OnMount("disk.img")}", "--rw=randread", "--bs=4k", "--direct=1", "--ioengine=psync", $"--runtime={seconds}", "--time_based"];

    // One fio with a job per host, so that they all start and stop together.
    private static List<Fio.Outcome> RunFio(params MountedFileSystem[] hosts) => RunFio(10, hosts);

    private static List<Fio.Outcome> RunFio(int seconds, params MountedFileSystem[] hosts)
    {
        var outcome = Fio.Run([.. hosts.SelectMany((host, i) => Job(host, seconds, name: $"host{i}"))]);
        Assert.True(outcome.Errors == 0, outcome.Raw);
        return [.. hosts.Select((_, i) => outcome.Job($"host{i}"))];
    }

    private static JsonElement Layer(MountedFileSystem host)
    {
        using var stats = JsonDocument.Parse(Tool.ThrottleFs("stats", host.Point, "--json").Output);
        return stats.RootElement.GetProperty("groups").EnumerateArray().Single(group => group.GetProperty("name").GetString() == "vms").Clone();
    }

    private static JsonElement Cluster(MountedFileSystem host) => Layer(host).GetProperty("cluster");
}
