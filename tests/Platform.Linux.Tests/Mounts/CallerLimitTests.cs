using System.Diagnostics;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// Limits by caller through a real mount. fio reads with O_DIRECT at queue depth 1 for 10 seconds; against
/// iops-total=100 a saturating reader completes QEMU's 1011 (11 at once, then one every 10 ms). Two fio processes
/// run at once here, so the tolerance is ±3 % for a busy 2-core machine.
/// </summary>
public sealed class CallerLimitTests
{
    private const string Nobody = "65534";

    [Fact]
    public void APerUidGroup_GivesRootAndNobodyABudgetEach_AcrossTheirFiles()
    {
        using var config = Config("""
            { "groups": { "users": { "per": "uid", "iops-total": 100 } }, "rules": [ { "match": "**", "group": "users" } ] }
            """);
        using var mount = MountedFileSystem.Start(backing => Prepare(backing, "a.bin", "b.bin", "c.bin"), "--config", config.Path);
        File.SetUnixFileMode(mount.Root, (UnixFileMode)0b111_101_101); // let nobody reach the mount point

        // Root reads two files in one process (one budget for both); nobody reads a third at the same time.
        var root = Task.Run(() => Fio.Run([.. Job(mount, "a", "a.bin"), .. Job(mount, "c", "c.bin")]));
        var nobody = Task.Run(() => Fio.RunAs(Nobody, Job(mount, "b", "b.bin")));
        var (rootReads, nobodyReads) = (root.Result, nobody.Result);

        Assert.Equal(0, rootReads.Errors);
        Assert.Equal(0, nobodyReads.Errors);
        Assert.InRange(rootReads.ReadIos, 980, 1042);
        Assert.InRange(nobodyReads.ReadIos, 980, 1042);
        var stats = Tool.ThrottleFs("stats", mount.Point, "--json").Output;
        Assert.Contains("\"users[uid=0]\"", stats);
        Assert.Contains("\"users[uid=65534]\"", stats);
    }

    [Fact]
    public void ARuleOnProcessFio_ThrottlesFio_WhileDdReadsTheSameFileUnthrottled()
    {
        using var config = Config("""{ "rules": [ { "process": "fio", "iops-total": 100 } ] }""");
        using var mount = MountedFileSystem.Start(backing => Prepare(backing, "t.bin"), "--config", config.Path);

        var fio = Task.Run(() => Fio.Run(Job(mount, "t", "t.bin")));
        // 4,000 direct 4 KiB reads: 40 s at fio's 100 IOPS, a moment unthrottled. dd starts while fio runs.
        Thread.Sleep(TimeSpan.FromSeconds(2));
        var clock = Stopwatch.StartNew();
        var dd = Tool.Run("dd", $"if={mount.OnMount("t.bin")}", "of=/dev/null", "bs=4k", "count=4000", "iflag=direct");
        clock.Stop();
        var outcome = fio.Result;

        Assert.True(dd.ExitCode == 0, dd.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"dd took {clock.Elapsed.TotalSeconds:F1} s for 4,000 reads");
        Assert.Equal(0, outcome.Errors);
        Assert.InRange(outcome.ReadIos, 980, 1042);
    }

    private static string[] Job(MountedFileSystem mount, string name, string file) =>
        [$"--name={name}", $"--filename={mount.OnMount(file)}", "--rw=randread", "--bs=4k", "--direct=1", "--ioengine=psync", "--runtime=10", "--time_based"];

    private static void Prepare(string backing, params string[] names)
    {
        foreach (var name in names)
        {
            var path = Path.Combine(backing, name);
            using (var file = File.Create(path))
            {
                file.SetLength(16 << 20);
            }

            File.SetUnixFileMode(path, (UnixFileMode)0b110_110_110);
        }
    }

    private static TempFile Config(string json) => new(json);

    private sealed class TempFile : IDisposable
    {
        public TempFile(string json)
        {
            Path = System.IO.Path.Combine(Directory.CreateTempSubdirectory("throttlefs-config-").FullName, "throttlefs.json");
            File.WriteAllText(Path, json);
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(System.IO.Path.GetDirectoryName(Path)!, recursive: true);
    }
}
