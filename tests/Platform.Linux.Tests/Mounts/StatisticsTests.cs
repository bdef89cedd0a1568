using System.Globalization;
using System.Text.Json;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// What <c>.throttlefs/stats</c>, <c>.throttlefs/metrics</c> and <c>throttlefs stats</c> report after fio ran a known
/// number of requests: the counters equal what fio did, exactly.
/// </summary>
public sealed class StatisticsTests
{
    private const int Reads = 300;
    private const int Writes = 120;

    [Fact]
    public void StatsAndMetrics_Parse_AndTheirCountersMatchWhatFioDid()
    {
        using var mount = MountedFileSystem.Start(
            backing =>
            {
                using var file = File.Create(Path.Combine(backing, "t.bin"));
                file.SetLength(16 << 20);
            },
            "--limit", "iops-total=200", "--set", "groups:shared:iops-write=100", "--set", "rules:0:match=t.bin", "--set", "rules:0:group=shared");

        var outcome = Fio.Run(
            "--name=r", $"--filename={mount.OnMount("t.bin")}", "--rw=randread", "--bs=4k", "--direct=1", "--ioengine=psync", $"--number_ios={Reads}",
            "--name=w", $"--filename={mount.OnMount("t.bin")}", "--rw=randwrite", "--bs=8k", "--direct=1", "--ioengine=psync", $"--number_ios={Writes}");
        Assert.True(outcome.Errors == 0, outcome.Raw);
        Assert.Equal((Reads, Writes), (outcome.ReadIos, outcome.WriteIos));

        using var stats = JsonDocument.Parse(File.ReadAllText(mount.Control("stats")));
        var file = stats.RootElement.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("path").GetString() == "t.bin");
        Assert.Equal("iops-total=200", file.GetProperty("limits").GetString());
        Assert.Equal("shared", file.GetProperty("group").GetString());
        Assert.Equal(Reads, file.GetProperty("read").GetProperty("ops").GetInt64());
        Assert.Equal(Reads * 4096L, file.GetProperty("read").GetProperty("bytes").GetInt64());
        Assert.Equal(Writes, file.GetProperty("write").GetProperty("ops").GetInt64());
        Assert.Equal(Writes * 8192L, file.GetProperty("write").GetProperty("bytes").GetInt64());

        // 420 requests at 200 IOPS (and writes at 100) take about two seconds: most of them waited.
        var read = file.GetProperty("read");
        Assert.InRange(read.GetProperty("throttled").GetInt64(), Reads / 2, Reads);
        Assert.True(read.GetProperty("waitP99Ms").GetDouble() > 0);
        Assert.True(read.GetProperty("waitMaxMs").GetDouble() >= read.GetProperty("waitP99Ms").GetDouble() / 1.25);
        Assert.Equal(0, read.GetProperty("queueDepth").GetInt32());
        var bucket = file.GetProperty("buckets").EnumerateArray().Single();
        Assert.Equal(("iops-total", 200), (bucket.GetProperty("bucket").GetString(), bucket.GetProperty("avg").GetInt64()));

        var group = stats.RootElement.GetProperty("groups").EnumerateArray().Single();
        Assert.Equal("shared", group.GetProperty("name").GetString());
        Assert.Equal(Writes, group.GetProperty("write").GetProperty("ops").GetInt64());
        Assert.Equal(Reads, group.GetProperty("read").GetProperty("ops").GetInt64()); // the group counts reads too; it limits only writes

        var metrics = File.ReadAllLines(mount.Control("metrics"));
        Assert.Equal(Reads, Metric(metrics, "throttlefs_ops_total{layer=\"file\",name=\"t.bin\",direction=\"read\"}"));
        Assert.Equal(Writes * 8192.0, Metric(metrics, "throttlefs_bytes_total{layer=\"file\",name=\"t.bin\",direction=\"write\"}"));
        Assert.Equal(Writes, Metric(metrics, "throttlefs_ops_total{layer=\"group\",name=\"shared\",direction=\"write\"}"));
        Assert.Equal(200, Metric(metrics, "throttlefs_bucket_limit_avg{layer=\"file\",name=\"t.bin\",bucket=\"iops-total\"}"));

        var cli = Tool.ThrottleFs("stats", mount.Point, "--json");
        Assert.True(cli.ExitCode == 0, cli.ToString());
        using var fromCli = JsonDocument.Parse(cli.Output);
        Assert.Equal(Reads, fromCli.RootElement.GetProperty("files")[0].GetProperty("read").GetProperty("ops").GetInt64());

        var table = Tool.ThrottleFs("stats", mount.Point);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("t.bin", table.Output);
        Assert.Contains("shared", table.Output);
    }

    private static double Metric(string[] lines, string series)
    {
        var line = lines.SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no sample {series} in:\n{string.Join('\n', lines)}");
        return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
