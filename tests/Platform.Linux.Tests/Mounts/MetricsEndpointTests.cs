using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>/metrics over HTTP (<c>--metrics-listen</c>), scraped with curl while fio runs through the mount.</summary>
public sealed partial class MetricsEndpointTests
{
    [Fact]
    public void Metrics_AreServedOverHttp_WhileFioRuns_AndCountWhatFioDid()
    {
        var port = FreePort();
        using var mount = MountedFileSystem.Start(Prepare, "--limit", "iops-total=200", "--metrics-listen", $"127.0.0.1:{port}");
        var url = $"http://127.0.0.1:{port}/metrics";

        var fio = Task.Run(() => Fio.Run("--name=r", $"--filename={mount.OnMount("disk.img")}", "--rw=randread", "--bs=4k", "--direct=1",
            "--ioengine=psync", "--runtime=4", "--time_based"));
        Thread.Sleep(TimeSpan.FromSeconds(2));
        var during = Tool.Run("curl", "-sS", "-f", url);
        var outcome = fio.Result;
        var after = Tool.Run("curl", "-sS", "-f", "-D", "-", url);

        Assert.True(during.ExitCode == 0, during.ToString());
        Assert.InRange(ReadOps(during.Output), 1, outcome.ReadIos - 1);
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Contains("Content-Type: text/plain; version=0.0.4; charset=utf-8", after.Output);
        Assert.Equal(outcome.ReadIos, ReadOps(after.Output));
        Assert.Equal(after.Output[after.Output.IndexOf("# HELP", StringComparison.Ordinal)..].Split('\n')[0],
            File.ReadAllText(mount.Control("metrics")).Split('\n')[0]);
        Assert.Contains("404", Tool.Run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", $"http://127.0.0.1:{port}/").Output);
    }

    [Fact]
    public void APortInUse_IsRefusedWithAClearMessage_AndNothingIsMounted()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var root = Directory.CreateTempSubdirectory("throttlefs-metrics-").FullName;
        var point = Directory.CreateDirectory(Path.Combine(root, "mnt")).FullName;
        File.WriteAllText(Path.Combine(root, "c.json"), "{}");

        var mount = Tool.ThrottleFs("mount", root, point, "--config", Path.Combine(root, "c.json"), "--metrics-listen", $"127.0.0.1:{port}");

        Assert.NotEqual(0, mount.ExitCode);
        Assert.Contains($"metrics-listen 127.0.0.1:{port}: cannot listen", mount.Error);
        Assert.False(Tool.IsMounted(point));
        Directory.Delete(root, recursive: true);
    }

    private static long ReadOps(string metrics) =>
        long.Parse(ReadOpsLine().Match(metrics).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("""throttlefs_ops_total\{layer="file",name="disk.img",direction="read"\} (\d+)""")]
    private static partial Regex ReadOpsLine();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Prepare(string backing)
    {
        using var file = File.Create(Path.Combine(backing, "disk.img"));
        file.SetLength(16 << 20);
    }
}
