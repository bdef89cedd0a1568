using System.Diagnostics;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>The mount and unmount commands as a user meets them: errors that say what to do, and clean exits.</summary>
public sealed class MountLifecycleTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("throttlefs-lifecycle-").FullName;

    public void Dispose()
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo").ToList())
        {
            var point = line.Split(' ')[4];
            if (point.StartsWith(_root, StringComparison.Ordinal))
            {
                Tool.Run("umount", "-l", point);
            }
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void WithNoFlags_TheBundledDefaultConfigApplies()
    {
        var source = Directory.CreateDirectory(Path.Combine(_root, "plain-source")).FullName;
        var point = Directory.CreateDirectory(Path.Combine(_root, "plain-mnt")).FullName;
        var mounted = Tool.ThrottleFs("mount", source, point);
        try
        {
            Assert.True(mounted.ExitCode == 0, mounted.ToString());
            var effective = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(point, ".throttlefs", "control"))).RootElement;
            Assert.Equal(3000, effective.GetProperty("file-limits").GetProperty("iops-total").GetInt64());
            Assert.Equal("125M", effective.GetProperty("file-limits").GetProperty("bps-total").GetString());
        }
        finally
        {
            Tool.ThrottleFs("unmount", point);
        }
    }

    [Fact]
    public void AMissingSource_IsRefused_AndNothingIsMounted()
    {
        var point = Directory.CreateDirectory(Path.Combine(_root, "mnt")).FullName;
        var result = Tool.ThrottleFs("mount", Path.Combine(_root, "nowhere"), point);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not exist", result.Error, StringComparison.Ordinal);
        Assert.False(Tool.IsMounted(point));
    }

    [Fact]
    public void AMissingMountPoint_IsRefused_WithTheCommandThatFixesIt()
    {
        var source = Directory.CreateDirectory(Path.Combine(_root, "src")).FullName;
        var result = Tool.ThrottleFs("mount", source, Path.Combine(_root, "nomnt"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("create it first (mkdir -p", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadSpec_IsAUsageError_NamingTheKeys_AndNothingIsMounted()
    {
        var source = Directory.CreateDirectory(Path.Combine(_root, "src")).FullName;
        var point = Directory.CreateDirectory(Path.Combine(_root, "mnt")).FullName;
        var result = Tool.ThrottleFs("mount", source, point, "--limit", "iops-total=100,iops-read=5");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--limit: iops-total and iops-read/iops-write cannot be used at the same time", result.Error, StringComparison.Ordinal);
        Assert.False(Tool.IsMounted(point));
    }

    [Fact]
    public void MountingOverAMount_IsRefusedAsBusy()
    {
        using var mount = MountedFileSystem.Start();
        var result = Tool.ThrottleFs("mount", mount.Backing, mount.Point);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("already a mount point", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void UnmountingSomethingNotMounted_SaysSo()
    {
        var result = Tool.ThrottleFs("unmount", _root);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is not mounted", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void AKilledDaemon_LeavesAStaleMount_ThatUnmountClears()
    {
        using var mount = MountedFileSystem.Start();
        var daemon = Process.GetProcessById(int.Parse(File.ReadAllText(PidFile(mount.Point))));
        daemon.Kill();
        daemon.WaitForExit();

        var stale = Tool.Run("stat", mount.Point);
        Assert.Contains("Transport endpoint is not connected", stale.Error, StringComparison.Ordinal);

        var result = Tool.ThrottleFs("unmount", mount.Point);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(Tool.IsMounted(mount.Point));
        Assert.False(File.Exists(PidFile(mount.Point)), "the killed daemon's pid file is left behind");
    }

    [Fact]
    public void UnmountingABusyMount_SaysItWasOnlyDetached_AndTheDaemonExitsOnceTheFileIsClosed()
    {
        using var mount = MountedFileSystem.Start(backing => File.WriteAllText(Path.Combine(backing, "open.txt"), "held open"));
        var daemon = Process.GetProcessById(int.Parse(File.ReadAllText(PidFile(mount.Point))));
        var held = File.OpenRead(mount.OnMount("open.txt"));

        // umount(2) is refused while a file is open (EBUSY); the mount is detached instead and served until it closes.
        var result = Tool.ThrottleFs("unmount", mount.Point);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("detached", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("unmounted", result.Error, StringComparison.Ordinal);
        Assert.False(Tool.IsMounted(mount.Point));
        Assert.False(daemon.HasExited);
        Assert.Equal("held open", new StreamReader(held).ReadToEnd());

        held.Dispose();
        Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(10)), "the daemon did not exit once the file was closed");
    }

    [Fact]
    public void Sigterm_UnmountsAndTheDaemonExits()
    {
        using var mount = MountedFileSystem.Start();
        var daemon = Process.GetProcessById(int.Parse(File.ReadAllText(PidFile(mount.Point))));
        Tool.Run("kill", "-TERM", daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.False(Tool.IsMounted(mount.Point));
        Assert.Contains($"[INF] Unmounted {mount.Point}; exiting", File.ReadAllText(LogFile(mount.Point)), StringComparison.Ordinal);
    }

    [Fact]
    public void AFileSource_OntoADirectory_IsItsOnlyEntry_UnderItsOwnName_BesideTheControlDirectory()
    {
        var image = Path.Combine(_root, "disk.raw");
        File.WriteAllBytes(image, Enumerable.Range(0, 8192).Select(i => (byte)i).ToArray());
        var point = Directory.CreateDirectory(Path.Combine(_root, "mnt")).FullName;
        using var mount = MountedFileSystem.Mount(Path.Combine(_root, "unused"), image, point);

        Assert.Equal([".throttlefs", "disk.raw"], Directory.GetFileSystemEntries(point).Select(Path.GetFileName).Order());
        var through = Path.Combine(point, "disk.raw");
        Assert.Equal(File.ReadAllBytes(image), File.ReadAllBytes(through));
        using (var file = new FileStream(through, FileMode.Open, FileAccess.Write))
        {
            file.Write([9, 9, 9]);
        }

        Assert.Equal([9, 9, 9, 3], File.ReadAllBytes(image)[..4]);
        Assert.Throws<UnauthorizedAccessException>(() => File.WriteAllText(Path.Combine(point, "other"), "x")); // EPERM: the directory is fixed
    }

    [Fact]
    public void AFileSource_OntoAFile_IsThatFile()
    {
        var image = Path.Combine(_root, "disk.raw");
        File.WriteAllBytes(image, new byte[65536]);
        var point = Path.Combine(_root, "export.raw");
        File.WriteAllBytes(point, []);
        using var mount = MountedFileSystem.Mount(Path.Combine(_root, "unused"), image, point);

        Assert.Equal(65536, new FileInfo(point).Length);
        using (var file = new FileStream(point, FileMode.Open, FileAccess.Write))
        {
            file.Position = 4096;
            file.Write([1, 2, 3]);
        }

        Assert.Equal([1, 2, 3], File.ReadAllBytes(image)[4096..4099]);
    }

    [Fact]
    public void AFileOntoAFile_IsTunedThroughItsAttributes_AndRulesMatchItsName()
    {
        var image = Path.Combine(_root, "disk.raw");
        File.WriteAllBytes(image, new byte[65536]);
        var point = Path.Combine(_root, "export.raw");
        File.WriteAllBytes(point, []);
        using var mount = MountedFileSystem.Mount(Path.Combine(_root, "unused"), image, point, "--set", "rules:0:match=*.raw", "--set", "rules:0:iops-total=77");

        Assert.Equal("file iops-total=77\nmount unlimited\n", Tool.Run("getfattr", "--only-values", "-n", "user.throttlefs.limits", point).Output);
        Assert.Equal(0, Tool.Run("setfattr", "-n", "user.throttlefs.limits", "-v", "iops-total=33", point).ExitCode);
        Assert.Equal("file iops-total=33\nmount unlimited\n", Tool.Run("getfattr", "--only-values", "-n", "user.throttlefs.limits", point).Output);

        var stats = Tool.ThrottleFs("stats", point);
        Assert.Equal(1, stats.ExitCode);
        Assert.Contains("getfattr -n user.throttlefs.stats", stats.Error);
    }

    [Fact]
    public void Trace_LogsEveryRequestAndReplyByName()
    {
        var source = Directory.CreateDirectory(Path.Combine(_root, "src")).FullName;
        var point = Directory.CreateDirectory(Path.Combine(_root, "mnt")).FullName;
        File.WriteAllText(Path.Combine(source, "traced.txt"), "x");
        using var daemon = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "throttlefs.dll"), "mount", source, point, "--foreground", "--trace"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var log = daemon.StandardError.ReadToEndAsync();
        for (var i = 0; i < 100 && !Tool.IsMounted(point); i++)
        {
            Thread.Sleep(100);
        }

        Assert.Equal("x", File.ReadAllText(Path.Combine(point, "traced.txt")));
        Assert.Equal(0, Tool.ThrottleFs("unmount", point).ExitCode);
        Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.Contains("LOOKUP n1 'traced.txt'", log.Result, StringComparison.Ordinal);
        Assert.Contains(": READ n", log.Result, StringComparison.Ordinal);
        Assert.Contains("tx ", log.Result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("mount", "--help")]
    [InlineData("unmount", "--help")]
    public void EveryCommand_HasHelp(params string[] arguments)
    {
        var result = Tool.ThrottleFs(arguments);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Output, StringComparison.Ordinal);
    }

    private static string PidFile(string point) => Path.Combine("/run/throttlefs", point.Trim('/').Replace('/', '-') + ".pid");

    private static string LogFile(string point) => Path.Combine("/run/throttlefs", point.Trim('/').Replace('/', '-') + ".log");
}
