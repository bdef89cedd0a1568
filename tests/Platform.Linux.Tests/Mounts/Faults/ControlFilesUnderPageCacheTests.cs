namespace ThrottleFs.Platform.Linux.Tests.Mounts.Faults;

/// <summary>
/// With --page-cache the control files are still read afresh: they are opened with direct I/O whatever the mount's
/// caching (once they were not, and came back empty, since the kernel cached them by a size of 0).
/// </summary>
public sealed class ControlFilesUnderPageCacheTests
{
    [Fact]
    public void WithPageCache_TheControlFilesStillRead()
    {
        using var mount = MountedFileSystem.Start("--page-cache");
        FaultProbe.AssertAlive(mount);
        Assert.StartsWith("{", File.ReadAllText(mount.Control("control")), StringComparison.Ordinal);
        Assert.Contains("throttlefs_", File.ReadAllText(mount.Control("metrics")), StringComparison.Ordinal);
        var stats = Tool.ThrottleFs("stats", mount.Point);
        Assert.True(stats.ExitCode == 0, stats.ToString());
    }
}
