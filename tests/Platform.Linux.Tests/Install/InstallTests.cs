using ThrottleFs.Platform.Linux.Tests.Mounts;

namespace ThrottleFs.Platform.Linux.Tests.Install;

/// <summary>
/// ThrottleFs installed like other filesystems: <c>./throttlefs install</c> into a temporary prefix, then, with no
/// <c>dotnet</c> on the PATH, mounted by mount(8) through the helper it installed, from the command line and from an
/// fstab file, limits holding; then <c>uninstall</c> takes everything away again, the helper's link in /sbin included.
/// </summary>
public sealed class InstallTests : IDisposable
{
    private const string Helper = "/sbin/mount.fuse.throttlefs";
    private static readonly string[] NoDotnet = ["env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"];
    private readonly string _root = Directory.CreateTempSubdirectory("throttlefs-install-").FullName;
    private readonly string _prefix;
    private readonly string _source;
    private readonly string _point;

    public InstallTests()
    {
        _prefix = Path.Combine(_root, "prefix");
        _source = Directory.CreateDirectory(Path.Combine(_root, "src")).FullName;
        _point = Directory.CreateDirectory(Path.Combine(_root, "mnt")).FullName;
        using (var disk = File.Create(Path.Combine(_source, "disk.img")))
        {
            disk.SetLength(16 << 20);
        }
    }

    [Fact]
    public void InstalledIntoAPrefix_MountsThroughMountAndFstabWithoutDotnet_AndUninstallsCleanly()
    {
        var install = Tool.Run(Launcher, ["install", "--prefix", _prefix], TimeSpan.FromMinutes(5));
        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.True(File.Exists(Path.Combine(_prefix, "bin", "throttlefs")));
        Assert.Equal(Path.Combine(_prefix, "sbin", "mount.fuse.throttlefs"), new FileInfo(Helper).LinkTarget);

        // From the command line: ThrottleFs's options and the kernel's and mount(8)'s in one -o.
        var config = Path.Combine(_root, "vms.json");
        File.WriteAllText(config, """{ "mount-limits": { "bps-total": "1G" } }""");
        Mount(["-t", "fuse.throttlefs", _source, _point, "-o", $"config={config},limit=iops-total=100,noatime,nofail"]);
        try
        {
            Assert.Contains("noatime", File.ReadAllLines("/proc/self/mounts").Single(line => line.Contains(_point)));
            var reads = Fio.Run("--name=r", $"--filename={Path.Combine(_point, "disk.img")}", "--rw=randread", "--bs=4k", "--direct=1",
                "--ioengine=psync", "--runtime=5", "--time_based");
            Assert.InRange(reads.ReadIos, 511 * 0.97, 511 * 1.03); // 11 at once, then 100 a second
            File.WriteAllText(Path.Combine(_point, "written.txt"), "through mount -t");
            Assert.Equal("through mount -t", File.ReadAllText(Path.Combine(_source, "written.txt")));
        }
        finally
        {
            Unmount();
        }

        // From an fstab line, a SPEC of several keys quoted inside the options.
        var fstab = Path.Combine(_root, "fstab");
        File.WriteAllText(fstab, $"{_source} {_point} fuse.throttlefs config={config},limit=\"iops-total=50,iops-total-max=50\",allow_other,nofail 0 0\n");
        Mount(["-T", fstab, _point]);
        try
        {
            var reads = Fio.Run("--name=r", $"--filename={Path.Combine(_point, "disk.img")}", "--rw=randread", "--bs=4k", "--direct=1",
                "--ioengine=psync", "--runtime=5", "--time_based");
            Assert.InRange(reads.ReadIos, 300 * 0.97, 300 * 1.03); // 50 at once (a second of credit), then 50 a second
        }
        finally
        {
            Unmount();
        }

        // A word nobody knows is refused by name, and nothing is mounted.
        var refused = Tool.Run(NoDotnet[0], [.. NoDotnet[1..], "mount", "-t", "fuse.throttlefs", _source, _point, "-o", "limt=iops-total=5"]);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("-o limt=iops-total=5: not a ThrottleFs, FUSE or mount option (did you mean 'limit'?)", refused.ToString());
        Assert.False(Tool.IsMounted(_point));

        var uninstall = Tool.Run(Launcher, ["uninstall", "--prefix", _prefix]);
        Assert.True(uninstall.ExitCode == 0, uninstall.ToString());
        Assert.False(File.Exists(Helper) || new FileInfo(Helper).LinkTarget is not null);
        Assert.False(File.Exists(Path.Combine(_prefix, "bin", "throttlefs")));
    }

    public void Dispose()
    {
        if (Tool.IsMounted(_point))
        {
            Tool.Run("umount", ["-l", _point]);
        }

        // Never leave this test's helper where mount(8) looks.
        if (new FileInfo(Helper).LinkTarget is { } target && target.StartsWith(_root, StringComparison.Ordinal))
        {
            File.Delete(Helper);
        }

        Directory.Delete(_root, recursive: true);
    }

    private static string Launcher
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "ThrottleFs.sln")))
                {
                    return Path.Combine(directory.FullName, "throttlefs");
                }
            }

            throw new FileNotFoundException("the ./throttlefs launcher next to ThrottleFs.sln, above " + AppContext.BaseDirectory);
        }
    }

    private void Mount(string[] arguments)
    {
        var mount = Tool.Run(NoDotnet[0], [.. NoDotnet[1..], "mount", .. arguments], TimeSpan.FromSeconds(60));
        Assert.True(mount.ExitCode == 0 && Tool.IsMounted(_point), mount.ToString());
    }

    private void Unmount()
    {
        var umount = Tool.Run("umount", [_point]);
        Assert.True(umount.ExitCode == 0, umount.ToString());
        Assert.False(Tool.IsMounted(_point));
    }
}
