using System.Text.Json;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Control;

/// <summary>The control directory and per-file attributes through a real mount, as a user's shell reaches them.</summary>
public sealed class ControlDirectoryTests
{
    private const string Nobody = "65534";

    [Fact]
    public void ControlDirectory_IsListedAtTheRoot_WithItsFiles_AndIsNotInTheBackingTree()
    {
        using var mount = MountedFileSystem.Start(backing => File.WriteAllText(Path.Combine(backing, "a.txt"), "a"));

        var names = Directory.EnumerateFileSystemEntries(mount.Point).Select(Path.GetFileName).Order().ToList();
        Assert.Equal([".throttlefs", "a.txt"], names);
        Assert.Equal(["changes", "control", "errors", "metrics", "stats", "trace"], Directory.EnumerateFiles(Path.Combine(mount.Point, ".throttlefs")).Select(Path.GetFileName).Order().ToList());
        Assert.False(Directory.Exists(mount.OnBacking(".throttlefs")));

        var ls = Tool.Run("ls", "-la", Path.Combine(mount.Point, ".throttlefs"));
        Assert.Contains("-rw-------", ls.Output.Split('\n').Single(line => line.EndsWith(" control", StringComparison.Ordinal)));
        Assert.Contains("-r--------", ls.Output.Split('\n').Single(line => line.EndsWith(" stats", StringComparison.Ordinal)));
    }

    [Fact]
    public void ABackingEntryOfTheSameName_IsShadowed()
    {
        using var mount = MountedFileSystem.Start(backing =>
        {
            Directory.CreateDirectory(Path.Combine(backing, ".throttlefs"));
            File.WriteAllText(Path.Combine(backing, ".throttlefs", "control"), "backing file");
        });

        Assert.Single(Directory.EnumerateFileSystemEntries(mount.Point), path => Path.GetFileName(path) == ".throttlefs");
        Assert.StartsWith("{", File.ReadAllText(mount.Control("control"))); // ours, not the backing file
        Assert.Equal("backing file", File.ReadAllText(mount.OnBacking(".throttlefs/control")));
    }

    [Fact]
    public void ControlDirectory_CannotBeRemovedRenamedOrReplaced()
    {
        using var mount = MountedFileSystem.Start();
        var control = Path.Combine(mount.Point, ".throttlefs");

        Assert.NotEqual(0, Tool.Run("rm", "-rf", control).ExitCode);
        Assert.Contains("Operation not permitted", Tool.Run("mv", control, mount.OnMount("moved")).Error);
        Assert.Contains("File exists", Tool.Run("mkdir", control).Error);
        Directory.CreateDirectory(mount.OnMount("other"));
        Assert.Contains("Operation not permitted", Tool.Run("mv", "-T", mount.OnMount("other"), control).Error);
        Assert.NotEqual(0, Tool.Run("touch", Path.Combine(control, "new")).ExitCode);
        Assert.NotEqual(0, Tool.Run("rm", "-f", mount.Control("stats")).ExitCode);
        Assert.True(File.Exists(mount.Control("stats")));
    }

    [Fact]
    public void ACommand_Applies_AndABadLine_FailsTheWriteWithEinval_NamingTheReasonInErrors()
    {
        using var mount = MountedFileSystem.Start();
        var shell = Tool.Run("bash", "-c", $"echo 'group vms iops-total=500' > {mount.Control("control")}");
        Assert.Equal(0, shell.ExitCode);
        Assert.Equal(500, Effective(mount).GetProperty("groups").GetProperty("vms").GetProperty("iops-total").GetInt64());

        var bad = Tool.Run("bash", "-c", $"echo 'group vms iops-totl=5' > {mount.Control("control")}");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("Invalid argument", bad.Error);
        var errors = File.ReadAllText(mount.Control("errors"));
        Assert.Contains("refused control line 'group vms iops-totl=5'", errors);
        Assert.Contains("did you mean 'iops-total'?", errors);
        Assert.Contains("(bash)", errors); // who
        Assert.Equal(500, Effective(mount).GetProperty("groups").GetProperty("vms").GetProperty("iops-total").GetInt64());
    }

    [Fact]
    public void TheSetCommand_QuotesPathsWithBlanks_AndTakesAbsolutePathsInsideTheMount()
    {
        using var mount = MountedFileSystem.Start();
        var set = Tool.ThrottleFs("set", mount.Point, "file", mount.OnMount("my disk.img"), "iops-total=5");
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Contains("applied: file \"my disk.img\" iops-total=5", set.Output);
        Assert.Equal(5, Effective(mount).GetProperty("files").GetProperty("my disk.img").GetProperty("iops-total").GetInt64());

        var refused = Tool.ThrottleFs("set", mount.Point, "assign", "my disk.img", "nope");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("group 'nope' is not defined", refused.Error);

        var notAMount = Tool.ThrottleFs("set", mount.Root, "mount", "bps-total=1M");
        Assert.Equal(1, notAMount.ExitCode);
        Assert.Contains("is not a ThrottleFs mount", notAMount.Error);
    }

    [Fact]
    public void ConcurrentWriters_EachLineAppliesWhole_AndTheLastGoodStateStays()
    {
        using var mount = MountedFileSystem.Start();
        var writers = Enumerable.Range(0, 8).Select(writer => Task.Run(() =>
        {
            var refused = 0;
            for (var i = 0; i < 40; i++)
            {
                var line = i % 5 == 4 ? $"file f{writer}.img iops-total=1,iops-total-max=0,bps-total-max=7" : $"file f{writer}.img iops-total={(writer * 1000) + i + 1}";
                try
                {
                    File.WriteAllText(mount.Control("control"), line + "\n");
                }
                catch (IOException)
                {
                    refused++;
                }
            }

            return refused;
        })).ToArray();
        Task.WaitAll(writers);

        Assert.All(writers, writer => Assert.Equal(8, writer.Result)); // every 5th line is invalid, and only those fail
        var files = Effective(mount).GetProperty("files");
        for (var writer = 0; writer < 8; writer++)
        {
            // The last valid line of each writer is i = 38.
            Assert.Equal((writer * 1000) + 39, files.GetProperty($"f{writer}.img").GetProperty("iops-total").GetInt64());
        }
    }

    [Fact]
    public void OnlyTheOwnerOrRoot_MayWriteControlOrSetLimits_OthersGetEacces()
    {
        using var mount = MountedFileSystem.Start(backing =>
        {
            File.WriteAllText(Path.Combine(backing, "shared.img"), "x");
            File.SetUnixFileMode(Path.Combine(backing, "shared.img"), (UnixFileMode)0b110_110_110);
        });
        File.SetUnixFileMode(mount.Root, (UnixFileMode)0b111_101_101); // let nobody reach the mount point

        var write = AsNobody("sh", "-c", $"echo 'mount bps-total=1M' > {mount.Control("control")}");
        Assert.Contains("Permission denied", write.Error);
        var read = AsNobody("cat", mount.Control("stats"));
        Assert.Contains("Permission denied", read.Error); // the statistics name files others may not be allowed to see: owner and root only

        var setfattr = AsNobody("setfattr", "-n", "user.throttlefs.limits", "-v", "iops-total=1000000", mount.OnMount("shared.img"));
        Assert.Contains("Permission denied", setfattr.Error);
        Assert.False(Effective(mount).GetProperty("mount-limits").EnumerateObject().Any());
        Assert.False(Effective(mount).GetProperty("files").EnumerateObject().Any());
    }

    [Fact]
    public void WithControlReadersEveryone_OtherUsersReadTheStatistics_ButStillCannotChangeLimits()
    {
        using var mount = MountedFileSystem.Start("--set", "control-readers=everyone");
        File.SetUnixFileMode(mount.Root, (UnixFileMode)0b111_101_101);

        var stats = AsNobody("sh", "-c", $"cat {mount.Control("stats")} >/dev/null && ls {Path.GetDirectoryName(mount.Control("stats"))}");
        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Contains("metrics", stats.Output);
        Assert.Contains("Permission denied", AsNobody("sh", "-c", $"echo 'mount bps-total=1M' > {mount.Control("control")}").Error);
    }

    [Fact]
    public void ControlFiles_ReportTheSizeOfTheirContent_SoToolsThatTrustItReadItAll()
    {
        using var mount = MountedFileSystem.Start();
        var size = new FileInfo(mount.Control("control")).Length;
        Assert.True(size > 0);
        Assert.Equal(size, File.ReadAllBytes(mount.Control("control")).Length); // File.ReadAllBytes reads st_size bytes
        Assert.Equal(0, Tool.Run("cmp", mount.Control("control"), mount.Control("control")).ExitCode);
    }

    [Fact]
    public void ExtendedAttributes_ShowTheChain_SetTheFilesLimits_AndGiveItsStatistics()
    {
        using var mount = MountedFileSystem.Start(
            backing => File.WriteAllBytes(Path.Combine(backing, "vm.img"), new byte[1 << 20]),
            "--limit", "iops-total=1000", "--mount-limit", "bps-total=100M");
        var image = mount.OnMount("vm.img");

        Assert.Equal("file iops-total=1000\nmount bps-total=100M\n", GetAttribute(image, "user.throttlefs.limits"));
        SetAttribute(image, "user.throttlefs.limits", "iops-total=50,iops-total-max=100");
        Assert.Equal("file iops-total=50,iops-total-max=100\nmount bps-total=100M\n", GetAttribute(image, "user.throttlefs.limits"));

        var refused = Tool.Run("setfattr", "-n", "user.throttlefs.limits", "-v", "iops-total=fast", image);
        Assert.Contains("Invalid argument", refused.Error);

        using (var file = File.OpenRead(image))
        {
            file.ReadExactly(new byte[4096]);
        }

        using var statistics = JsonDocument.Parse(GetAttribute(image, "user.throttlefs.stats"));
        Assert.Equal("vm.img", statistics.RootElement.GetProperty("path").GetString());
        Assert.True(statistics.RootElement.GetProperty("read").GetProperty("ops").GetInt64() >= 1);

        // Not listed, so cp -a and rsync -X do not carry them to other files.
        var listed = Tool.Run("getfattr", "-d", "-m", "-", image);
        Assert.Equal(0, listed.ExitCode);
        Assert.DoesNotContain("throttlefs", listed.Output);

        Assert.Equal(0, Tool.Run("setfattr", "-x", "user.throttlefs.limits", image).ExitCode);
        Assert.Equal("file iops-total=1000\nmount bps-total=100M\n", GetAttribute(image, "user.throttlefs.limits"));
    }

    internal static JsonElement Effective(MountedFileSystem mount) =>
        JsonDocument.Parse(File.ReadAllText(mount.Control("control"))).RootElement;

    private static string GetAttribute(string path, string name)
    {
        var result = Tool.Run("getfattr", "--only-values", "-n", name, path);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Output;
    }

    private static void SetAttribute(string path, string name, string value)
    {
        var result = Tool.Run("setfattr", "-n", name, "-v", value, path);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private static Tool.Result AsNobody(params string[] command) =>
        Tool.Run("setpriv", ["--reuid", Nobody, "--regid", Nobody, "--clear-groups", .. command]);
}
