namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>What the daemon writes to a configured log file, and that it says nothing per request unless asked.</summary>
public sealed class LoggingTests
{
    [Fact]
    public void TheLogFile_HasMountChangesWithWhoRefusalsAndUnmount_AndDebugAddsWaitedRequests()
    {
        var log = RunLogged("Debug");

        Assert.Contains("[INF] Mounted ", log);
        Assert.Matches(@"\[INF\] Limits changed by uid 0 pid \d+ \(\S+\): file t\.bin iops-total=60", log);
        Assert.Contains("[ERR] Refused control line 'file t.bin iops-totl=1' from uid 0", log);
        Assert.Matches(@"\[DBG\] t\.bin: read of 4096 bytes waited [\d.]+ ms \(admitted\)", log);
        Assert.Contains("[INF] Unmounted ", log);
    }

    [Fact]
    public void AtInformation_NothingIsLoggedPerRequest()
    {
        var log = RunLogged("Information");

        Assert.Contains("[INF] Mounted ", log);
        Assert.DoesNotContain("[DBG]", log);
        Assert.DoesNotContain("waited", log);
        Assert.True(log.Split('\n').Length < 20, log);
    }

    // Mounts with a log file at the level given, runs 100 throttled reads, one change, one refused change, unmounts.
    private static string RunLogged(string level)
    {
        var logs = Directory.CreateTempSubdirectory("throttlefs-logs-").FullName;
        using (var mount = MountedFileSystem.Start(
            backing =>
            {
                using var file = File.Create(Path.Combine(backing, "t.bin"));
                file.SetLength(1 << 20);
            },
            "--limit", "iops-total=200", "--set", $"logging:level={level}", "--set", $"logging:file={logs}/throttlefs.log"))
        {
            var outcome = Fio.Run("--name=r", $"--filename={mount.OnMount("t.bin")}", "--rw=randread", "--bs=4k", "--direct=1", "--ioengine=psync", "--number_ios=100");
            Assert.True(outcome.Errors == 0, outcome.Raw);
            Assert.Equal(0, Tool.ThrottleFs("set", mount.Point, "file", "t.bin", "iops-total=60").ExitCode);
            Assert.Equal(2, Tool.ThrottleFs("set", mount.Point, "file", "t.bin", "iops-totl=1").ExitCode);
        }

        // Rolled daily: the file name gets the date.
        var text = string.Concat(Directory.GetFiles(logs, "throttlefs*.log").Order().Select(File.ReadAllText));
        Directory.Delete(logs, recursive: true);
        return text;
    }
}
