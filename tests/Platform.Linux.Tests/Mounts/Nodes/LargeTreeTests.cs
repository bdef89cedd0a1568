using System.Diagnostics;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Tests.Mounts.Faults;
using Xunit.Abstractions;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Nodes;

/// <summary>
/// Trees with more files than the daemon may open (its limit is 20,000, as the test's): every file the kernel looks
/// up is a node of the daemon's, and nodes keep file handles, not descriptors, so listing and stat-ing all of them
/// works, and the daemon's descriptors stay few. The durations go to the test output.
/// </summary>
public sealed class LargeTreeTests(LargeTree tree, ITestOutputHelper output) : IClassFixture<LargeTree>
{
    [Fact]
    public void LsLong_OfADirectoryOf30000Files_ListsThemAll_AndEveryOneStats()
    {
        using var mount = tree.Mount();
        var directory = mount.OnMount("wide");

        var clock = Stopwatch.StartNew();
        var ls = Tool.Run("ls", "-l", directory);
        output.WriteLine($"ls -l of {LargeTree.WideFiles} files: {clock.Elapsed.TotalSeconds:F1} s");

        Assert.True(ls.ExitCode == 0 && ls.Error.Length == 0, ls.Error.Length > 2000 ? ls.Error[..2000] : ls.ToString());
        var lines = ls.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(LargeTree.WideFiles + 1, lines.Length); // "total N", then one line a file
        Assert.All(lines.Skip(1), line => Assert.StartsWith("-rw-r--r--", line));

        clock.Restart();
        var failures = Enumerable.Range(0, LargeTree.WideFiles)
            .Select(i => (Name: $"f{i:D5}", Error: FaultProbe.StatError(Path.Combine(directory, $"f{i:D5}"))))
            .Where(result => result.Error != Errno.Success)
            .ToList();
        output.WriteLine($"stat of each of them: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(failures.Count == 0, $"{failures.Count} stats failed, the first: {string.Join(", ", failures.Take(5))}");

        AssertFewDescriptors(mount);
        FaultProbe.AssertUnmounts(mount);
    }

    [Fact]
    public void FindLs_Over4DirectoriesOf25000Files_ListsAll100000()
    {
        using var mount = tree.Mount();

        var clock = Stopwatch.StartNew();
        var find = Tool.Run("find", mount.OnMount("deep"), "-ls");
        output.WriteLine($"find -ls of {LargeTree.DeepFiles} files: {clock.Elapsed.TotalSeconds:F1} s");

        Assert.True(find.ExitCode == 0 && find.Error.Length == 0, find.Error.Length > 2000 ? find.Error[..2000] : find.ToString());
        var lines = find.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(LargeTree.DeepFiles + LargeTree.DeepDirectories + 1, lines.Length);
        Assert.Equal(LargeTree.DeepFiles, lines.Count(line => line.Contains(" -rw-r--r-- ", StringComparison.Ordinal)));

        AssertFewDescriptors(mount);
        FaultProbe.AssertUnmounts(mount);
    }

    [Fact]
    public void AHundredThousandNodesTheKernelHolds_CostTheDaemonUnder1KiBEach()
    {
        // Measured on the managed heap, where nodes live, as the daemon's Debug line reports it with its node count
        // every 5 s while they change; its RSS, which moves with the GC's own decisions, is only reported.
        var logs = Directory.CreateTempSubdirectory("throttlefs-logs-").FullName;
        try
        {
            using var mount = tree.Mount("--set", "logging:level=Debug", "--set", $"logging:file={logs}/throttlefs.log");
            using var daemon = FaultProbe.Daemon(mount.Point);
            Assert.Equal(Errno.Success, FaultProbe.StatError(mount.OnMount("deep/d0"))); // requests served once: lazy set-up is in the baseline
            var before = NodeUsageLine.WaitFor(logs, line => line.Nodes >= 2, TimeSpan.FromSeconds(15));
            var rssBefore = ResidentBytes(daemon.Id);

            var find = Tool.Run("find", mount.OnMount("deep"), "-ls");
            Assert.True(find.ExitCode == 0 && find.Error.Length == 0, find.Error.Length > 2000 ? find.Error[..2000] : find.ToString());

            var after = NodeUsageLine.WaitFor(logs, line => line.Nodes >= before.Nodes + LargeTree.DeepFiles, TimeSpan.FromSeconds(15));
            var nodes = after.Nodes - before.Nodes;
            var heapPerNode = (after.HeapBytes - before.HeapBytes) / (double)nodes;
            var rssPerNode = (ResidentBytes(daemon.Id) - rssBefore) / (double)nodes;
            output.WriteLine($"{nodes} nodes more: managed heap {heapPerNode:F0} bytes a node, RSS {rssPerNode:F0} bytes a node; {after.Descriptors} descriptors held");

            Assert.InRange(heapPerNode, 1, 1023);
            Assert.InRange(after.Descriptors, 1, 6000);
            FaultProbe.AssertUnmounts(mount);
        }
        finally
        {
            Directory.Delete(logs, recursive: true);
        }
    }

    private static long ResidentBytes(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").Single(line => line.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;

    // The daemon holds far fewer descriptors than the tens of thousands of nodes the kernel now knows: its node
    // descriptor cache (a quarter of its limit, 5,000) and its own.
    private void AssertFewDescriptors(MountedFileSystem mount)
    {
        using var daemon = FaultProbe.Daemon(mount.Point);
        var descriptors = Directory.GetFileSystemEntries($"/proc/{daemon.Id}/fd").Length;
        output.WriteLine($"the daemon holds {descriptors} descriptors");
        Assert.InRange(descriptors, 1, 6000);
    }
}
