using ThrottleFs.FileSystem;
using ThrottleFs.Qos;

namespace ThrottleFs.Tests.Throttling;

/// <summary>
/// What a refused request returns through the filesystem: the layer's <c>over-limit-error</c>, or EAGAIN when it was
/// policed or its queue was full and ETIMEDOUT when it waited <c>max-wait</c>; the backing file is never touched, and
/// the file's statistics count it by cause.
/// </summary>
public sealed class OverLimitErrorsTests
{
    [Theory]
    [InlineData("iops-total=100,action=police", Errno.EAGAIN)]
    [InlineData("iops-total=100,action=police,over-limit-error=EIO", Errno.EIO)]
    [InlineData("iops-total=100,queue-depth=0,over-limit-error=EDQUOT", Errno.EDQUOT)]
    [InlineData("iops-total=100,queue-depth=0", Errno.EAGAIN)]
    public async Task ARequestRefusedAtOnce_ReturnsTheErrorItsLayerSays_AndIsCountedByCause(string limits, Errno expected)
    {
        using var files = new ThrottledFiles(limits);
        files.Backing.AddFile("a.img", new byte[1 << 16]);
        var handle = files.Open("a.img");
        var reads = Enumerable.Range(0, 12).Select(_ => files.Read(handle, new byte[512])).ToList();

        Assert.All(reads.Take(11), r => Assert.Equal(IoResult.Done(512), r.Result));
        Assert.Equal(IoResult.Failed(expected), await reads[11]);
        var read = files.Policy.GetStatistics("a.img")!.Read;
        Assert.Equal(11, read.Ops);
        Assert.Equal(limits.Contains("police") ? (1L, 0L) : (0L, 1L), (read.Policed, read.QueueFull));
        files.Release(handle);
    }

    [Fact]
    public async Task ARequestThatWaitedMaxWait_ReturnsEtimedout_AndTheBackingFileIsNotRead()
    {
        using var files = new ThrottledFiles("iops-total=10,max-wait=250ms");
        files.Backing.AddFile("a.img", new byte[1 << 16]);
        var handle = files.Open("a.img");
        var reads = Enumerable.Range(0, 6).Select(_ => files.Read(handle, new byte[512])).ToList();
        var backingReads = files.Backing.ReadCount;

        files.Clock.Advance(TimeSpan.FromMilliseconds(250));

        // The bucket holds 1: 2 at once, one at 100 and one at 200 ms; the last 2 waited the cap.
        Assert.Equal([Errno.Success, Errno.Success, Errno.Success, Errno.Success, Errno.ETIMEDOUT, Errno.ETIMEDOUT],
            await Task.WhenAll(reads.Select(async r => (await r).Error)));
        Assert.Equal(backingReads + 2, files.Backing.ReadCount);
        Assert.Equal(2, files.Policy.GetStatistics("a.img")!.Read.TimedOut);
        files.Release(handle);
    }
}
