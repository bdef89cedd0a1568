namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// A normal user mounts through fusermount3, which hands the /dev/fuse descriptor back over a socket (SCM_RIGHTS).
/// Debian ships /dev/fuse world-writable; this machine's is root-only, so the test opens it up for its duration and
/// puts the original mode back. The user is "nobody"; the command runs from a copy of the build it can read.
/// </summary>
public sealed class NormalUserMountTests : IDisposable
{
    private const string Nobody = "65534";
    private readonly string _root = Directory.CreateTempSubdirectory("throttlefs-user-").FullName;
    private readonly UnixFileMode _deviceMode = File.GetUnixFileMode("/dev/fuse");

    public NormalUserMountTests()
    {
        File.SetUnixFileMode("/dev/fuse", _deviceMode | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        File.SetUnixFileMode(_root, (UnixFileMode)0b111_101_101);
    }

    public void Dispose()
    {
        File.SetUnixFileMode("/dev/fuse", _deviceMode);
        var point = Path.Combine(_root, "mnt");
        if (Tool.IsMounted(point))
        {
            Tool.Run("umount", "-l", point);
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void ANormalUser_MountsThroughFusermount3_AndUnmounts()
    {
        var build = Path.Combine(_root, "build");
        Tool.Run("cp", "-r", AppContext.BaseDirectory, build);
        var source = Directory.CreateDirectory(Path.Combine(_root, "src")).FullName;
        var point = Directory.CreateDirectory(Path.Combine(_root, "mnt")).FullName;
        File.WriteAllText(Path.Combine(source, "mine.txt"), "owned by nobody");
        Assert.Equal(0, Tool.Run("chown", "-R", $"{Nobody}:{Nobody}", _root).ExitCode);

        var mounted = AsNobody(build, "mount", source, point, "--limit", "iops-total=100");
        Assert.True(mounted.ExitCode == 0, mounted.ToString());
        Assert.Contains($"user_id={Nobody}", File.ReadAllText("/proc/mounts"), StringComparison.Ordinal);

        var read = Tool.Run("setpriv", "--reuid", Nobody, "--regid", Nobody, "--clear-groups", "cat", Path.Combine(point, "mine.txt"));
        Assert.Equal("owned by nobody", read.Output);

        var unmounted = AsNobody(build, "unmount", point);
        Assert.True(unmounted.ExitCode == 0, unmounted.ToString());
        Assert.False(Tool.IsMounted(point));
    }

    private Tool.Result AsNobody(string build, params string[] arguments) => Tool.Run(
        "setpriv",
        ["--reuid", Nobody, "--regid", Nobody, "--clear-groups", "env", $"HOME={_root}", $"DOTNET_CLI_HOME={_root}", $"XDG_RUNTIME_DIR={_root}",
            "dotnet", Path.Combine(build, "throttlefs.dll"), .. arguments],
        TimeSpan.FromSeconds(60));
}
