using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// By default every read reaches the throttle; --page-cache trades that for speed: data the kernel has cached is
/// served without asking us, so repeated reads of it are not throttled.
/// </summary>
public sealed class PageCacheTests
{
    private const int Reads = 40;

    [Fact]
    public void ByDefault_EveryReadIsThrottled_EvenOfTheSameBlock()
    {
        using var mount = MountedFileSystem.Start(Prepare, "--limit", "iops-read=20");
        var elapsed = ReadTheSameBlock(mount);
        Assert.True(elapsed >= TimeSpan.FromSeconds(1.5), $"{Reads} reads at 20/s took {elapsed}"); // 3 at once, then 20/s
    }

    [Fact]
    public void WithPageCache_RereadsComeFromTheCache_AndAreNotThrottled()
    {
        using var mount = MountedFileSystem.Start(Prepare, "--limit", "iops-read=20", "--page-cache");
        var elapsed = ReadTheSameBlock(mount);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"{Reads} cached reads took {elapsed}");
    }

    private static TimeSpan ReadTheSameBlock(MountedFileSystem mount)
    {
        using SafeFileHandle file = File.OpenHandle(mount.OnMount("data.bin"));
        var buffer = new byte[4096];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Reads; i++)
        {
            Assert.Equal(4096, RandomAccess.Read(file, buffer, 0));
            Assert.Equal(7, buffer[100]);
        }

        return clock.Elapsed;
    }

    private static void Prepare(string backing) => File.WriteAllBytes(Path.Combine(backing, "data.bin"), Enumerable.Repeat((byte)7, 65536).ToArray());
}
