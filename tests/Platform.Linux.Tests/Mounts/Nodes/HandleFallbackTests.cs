using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Tests.Mounts.Faults;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Nodes;

/// <summary>
/// Where file handles cannot be trusted, nodes keep a descriptor each, as before handles, and the log says so once.
/// The backing store here is another ThrottleFs mount: FUSE decodes a handle only while the kernel caches its inode
/// (no export support), so a handle that opens now could fail later for a file that exists.
/// </summary>
public sealed class HandleFallbackTests
{
    [Fact]
    public void AMountOfAFuseMount_KeepsADescriptorPerNode_SaysSoOnce_AndWorks()
    {
        using var inner = MountedFileSystem.Start(backing =>
        {
            Directory.CreateDirectory(Path.Combine(backing, "sub"));
            for (var i = 0; i < 20; i++)
            {
                File.WriteAllText(Path.Combine(backing, "sub", $"f{i}"), $"file {i}");
            }
        });
        var logs = Directory.CreateTempSubdirectory("throttlefs-logs-").FullName;
        var root = Directory.CreateTempSubdirectory("throttlefs-test-").FullName;
        try
        {
            using (var outer = MountedFileSystem.Mount(root, inner.Point, Directory.CreateDirectory(Path.Combine(root, "mnt")).FullName, "--set", $"logging:file={logs}/throttlefs.log"))
            {
                Assert.Equal(Enumerable.Range(0, 20).Select(i => $"f{i}").Order(), FaultProbe.List(outer.OnMount("sub")).Order());
                Assert.All(Enumerable.Range(0, 20), i => Assert.Equal($"file {i}", File.ReadAllText(outer.OnMount($"sub/f{i}"))));
                File.WriteAllText(outer.OnMount("sub/new"), "through both");
                Assert.Equal("through both", File.ReadAllText(inner.OnBacking("sub/new")));

                // Every node the outer kernel knows (the root, sub, 21 files) holds a descriptor in the outer daemon.
                using var daemon = FaultProbe.Daemon(outer.Point);
                var intoInner = Directory.GetFileSystemEntries($"/proc/{daemon.Id}/fd")
                    .Count(fd => new FileInfo(fd).LinkTarget?.StartsWith(inner.Point, StringComparison.Ordinal) == true);
                Assert.InRange(intoInner, 23, 30);
                FaultProbe.AssertUnmounts(outer);
            }

            var log = string.Concat(Directory.GetFiles(logs, "throttlefs*.log").Select(File.ReadAllText));
            var warning = $"[WRN] The backing filesystem at {inner.Point} is a FUSE filesystem";
            Assert.Single(log.Split('\n'), line => line.Contains(warning, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(logs, recursive: true);
        }

        Assert.Equal(Errno.Success, FaultProbe.StatError(inner.OnMount("sub/new")));
        FaultProbe.AssertUnmounts(inner);
    }
}
