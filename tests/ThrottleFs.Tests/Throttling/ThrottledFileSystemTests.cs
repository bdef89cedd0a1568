using ThrottleFs.FileSystem;
using static ThrottleFs.Tests.FileSystem.InMemoryFileSystem;
using static ThrottleFs.Tests.Throttling.ThrottledFiles;

namespace ThrottleFs.Tests.Throttling;

/// <summary>
/// Reads, writes and copies through <see cref="ThrottleFs.Throttling.ThrottledFileSystem"/> on a virtual clock, with
/// waits derived from QEMU's leaky bucket: <c>iops-total=100</c> holds 100/10 = 10 operations; a request passes while
/// the level is at most 10 and is then charged 1, so requests 1 to 11 pass at once (levels 1 to 11) and the 12th waits
/// for the level to leak back to 10: 1 operation at 100/s, 10 ms.
/// </summary>
public sealed class ThrottledFileSystemTests : IDisposable
{
    private static readonly TimeSpan TenMilliseconds = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan JustBefore = TimeSpan.FromMicroseconds(9_990);

    private readonly ThrottledFiles _files = new("iops-total=100");

    public ThrottledFileSystemTests() => _files.Backing.AddFile("a.img", Pattern(64 << 10));

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Reads_WithinTheLimit_CompleteAtOnce_WithTheirData()
    {
        var handle = _files.Open("a.img");
        for (var i = 0; i < 11; i++)
        {
            var buffer = new byte[4096];
            Assert.Equal(IoResult.Done(4096), AtOnce(_files.Read(handle, buffer, offset: i * 4096L)));
            Assert.Equal(Pattern(64 << 10)[(i * 4096)..((i + 1) * 4096)], buffer);
        }

        var statistics = _files.Statistics("a.img");
        Assert.Equal((11L, 11 * 4096L, 0L), (statistics.Read.Ops, statistics.Read.Bytes, statistics.Read.Throttled));
        Assert.Equal(11, _files.Backing.ReadCount);
    }

    [Fact]
    public async Task TheTwelfthImmediateRead_WaitsTenMilliseconds_ThenCompletesWithTheData()
    {
        var handle = _files.Open("a.img");
        _files.ReadAtOnce(handle, 11);

        var buffer = new byte[100];
        var twelfth = _files.Read(handle, buffer, offset: 1000);
        Assert.False(twelfth.IsCompleted);
        Assert.Equal(1, _files.Statistics("a.img").Read.QueueDepth);
        _files.Clock.AdvanceTo(JustBefore);
        Assert.False(twelfth.IsCompleted);
        Assert.Equal(11, _files.Backing.ReadCount);

        _files.Clock.AdvanceTo(TenMilliseconds);
        Assert.Equal(IoResult.Done(100), await Completed(twelfth));
        Assert.Equal(Pattern(1100)[1000..], buffer);

        var read = _files.Statistics("a.img").Read;
        Assert.Equal((12L, 11 * 4096L + 100, 1L, 0), (read.Ops, read.Bytes, read.Throttled, read.QueueDepth));
        Assert.Equal((10.0, 10.0), (read.WaitMaxMs, read.WaitTotalMs));
    }

    [Fact]
    public async Task AWaitingWrite_ReachesTheBackingFileOnlyOnceAdmitted()
    {
        var handle = _files.Open("a.img", WriteOnly);
        for (var i = 0; i < 11; i++)
        {
            Assert.True(_files.Write(handle, i, "x").IsCompletedSuccessfully);
        }

        var twelfth = _files.Write(handle, 100, "WAIT");
        Assert.False(twelfth.IsCompleted);
        _files.Clock.AdvanceTo(JustBefore);
        Assert.False(twelfth.IsCompleted);
        Assert.Equal(Pattern(64 << 10)[100..104], _files.Backing.ContentOf("a.img")[100..104]); // untouched while it waits
        Assert.Equal(11, _files.Backing.WriteCount);

        _files.Clock.AdvanceTo(TenMilliseconds);
        Assert.Equal(IoResult.Done(4), await Completed(twelfth));
        Assert.Equal("WAIT"u8.ToArray(), _files.Backing.ContentOf("a.img")[100..104]);
        Assert.Equal("xxxxxxxxxxx"u8.ToArray(), _files.Backing.ContentOf("a.img")[..11]);
        Assert.Equal((12L, 15L, 1L), (_files.Statistics("a.img").Write.Ops, _files.Statistics("a.img").Write.Bytes, _files.Statistics("a.img").Write.Throttled));
    }

    [Fact]
    public async Task AWaitingReadCancelledThroughItsToken_EndsWithEintr_AndIsNotCharged()
    {
        var handle = _files.Open("a.img");
        _files.ReadAtOnce(handle, 11);
        using var interrupt = new CancellationTokenSource();
        var cancelled = _files.Read(handle, new byte[10], cancellationToken: interrupt.Token);
        Assert.False(cancelled.IsCompleted);

        await interrupt.CancelAsync();
        Assert.Equal(IoResult.Failed(Errno.EINTR), await Completed(cancelled));
        Assert.Equal(11, _files.Backing.ReadCount);
        var read = _files.Statistics("a.img").Read;
        Assert.Equal((11L, 0L, 0), (read.Ops, read.Throttled, read.QueueDepth));

        // Not charged: the next read takes its place at 10 ms (had it been charged, the level would be 11 at 10 ms and
        // the next read would wait until 20 ms).
        var next = _files.Read(handle, new byte[10]);
        Assert.False(next.IsCompleted);
        _files.Clock.AdvanceTo(TenMilliseconds);
        Assert.Equal(IoResult.Done(10), await Completed(next));
    }

    [Fact]
    public async Task ARequestWaitingWhenThePolicyIsDisposed_EndsWithEio_WithoutReachingTheBackingFile()
    {
        var handle = _files.Open("a.img", ReadWrite);
        _files.ReadAtOnce(handle, 11);
        var waiting = _files.Write(handle, 0, "late");
        Assert.False(waiting.IsCompleted);

        _files.Policy.Dispose();

        Assert.Equal(IoResult.Failed(Errno.EIO), await Completed(waiting));
        Assert.Equal(0, _files.Backing.WriteCount);
    }

    [Fact]
    public async Task CopyFileRange_PassesTheSourcesReadLimit_NotItsWriteLimit()
    {
        // bps-read=1000 holds 100 bytes. The first copy of 1000 finds the bucket idle and passes, charging 1000; the
        // second waits for it to leak to 100: 900 bytes at 1000 B/s, 900 ms. The target's read limit is not its direction.
        _files.Backing.AddFile("src.img", Pattern(2000));
        _files.Backing.AddFile("dst.img", []);
        _files.Apply("file src.img bps-read=1000");
        _files.Apply("file dst.img bps-read=1000");
        var source = _files.Open("src.img");
        var target = _files.Open("dst.img", WriteOnly);

        Assert.Equal(IoResult.Done(1000), AtOnce(_files.Files.CopyFileRangeAsync(source, 0, target, 0, 1000, default)));
        var second = _files.Files.CopyFileRangeAsync(source, 1000, target, 1000, 1000, default);
        Assert.False(second.IsCompleted);
        _files.Clock.AdvanceTo(TimeSpan.FromMicroseconds(899_990));
        Assert.False(second.IsCompleted);
        Assert.Equal(1000, _files.Backing.ContentOf("dst.img").Length);

        _files.Clock.AdvanceTo(TimeSpan.FromMilliseconds(900));
        Assert.Equal(IoResult.Done(1000), await Completed(second));
        Assert.Equal(Pattern(2000), _files.Backing.ContentOf("dst.img"));
        var (src, dst) = (_files.Statistics("src.img"), _files.Statistics("dst.img"));
        Assert.Equal((2L, 2000L, 1L), (src.Read.Ops, src.Read.Bytes, src.Read.Throttled));
        Assert.Equal((2L, 2000L, 0L), (dst.Write.Ops, dst.Write.Bytes, dst.Write.Throttled));
        Assert.Equal((0L, 0L), (src.Write.Ops, dst.Read.Ops));
    }

    [Fact]
    public async Task CopyFileRange_PassesTheTargetsWriteLimit_NotTheSourcesWriteLimit()
    {
        // As above with bps-write=1000 on both: only the target's write bucket fills, and the second copy waits 900 ms.
        _files.Backing.AddFile("src.img", Pattern(2000));
        _files.Backing.AddFile("dst.img", []);
        _files.Apply("file src.img bps-write=1000");
        _files.Apply("file dst.img bps-write=1000");
        var source = _files.Open("src.img");
        var target = _files.Open("dst.img", WriteOnly);

        Assert.True(_files.Files.CopyFileRangeAsync(source, 0, target, 0, 1000, default).IsCompletedSuccessfully);
        var second = _files.Files.CopyFileRangeAsync(source, 1000, target, 1000, 1000, default);
        _files.Clock.AdvanceTo(TimeSpan.FromMicroseconds(899_990));
        Assert.False(second.IsCompleted);

        _files.Clock.AdvanceTo(TimeSpan.FromMilliseconds(900));
        Assert.Equal(IoResult.Done(1000), await Completed(second));
        Assert.Equal((0L, 1L), (_files.Statistics("src.img").Read.Throttled, _files.Statistics("dst.img").Write.Throttled));
    }

    [Fact]
    public void AFileWithNoLimits_PassesEveryRequestAtOnce_AndIsStillCounted()
    {
        _files.Backing.AddFile("free.img", Pattern(4096));
        _files.Apply("file free.img iops-total=0");
        var handle = _files.Open("free.img", ReadWrite);

        _files.ReadAtOnce(handle, 500, size: 8);
        for (var i = 0; i < 500; i++)
        {
            Assert.True(_files.Write(handle, i, "w").IsCompletedSuccessfully, $"write {i + 1} waited");
        }

        var statistics = _files.Statistics("free.img");
        Assert.Equal(("", 0), (statistics.Limits, statistics.Buckets.Count));
        Assert.Equal((500L, 4000L, 0L), (statistics.Read.Ops, statistics.Read.Bytes, statistics.Read.Throttled));
        Assert.Equal((500L, 500L, 0L), (statistics.Write.Ops, statistics.Write.Bytes, statistics.Write.Throttled));
    }
}
