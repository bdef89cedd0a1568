using ThrottleFs.FileSystem;
using static ThrottleFs.Tests.FileSystem.InMemoryFileSystem;
using static ThrottleFs.Tests.Throttling.ThrottledFiles;

namespace ThrottleFs.Tests.Throttling;

/// <summary>
/// <see cref="ThrottleFs.Throttling.ThrottledFileSystem"/> keys a file's throttle state by the path the filesystem
/// gives when it is opened: handles share it, closing keeps it, a new path gets its own; and its statistics count
/// exactly. Bucket arithmetic as in <see cref="ThrottledFileSystemTests"/>: <c>iops-total=100</c> passes 11 requests
/// at once, and the 12th waits 10 ms.
/// </summary>
public sealed class ThrottleStateByPathTests : IDisposable
{
    private static readonly TimeSpan TenMilliseconds = TimeSpan.FromMilliseconds(10);

    private readonly ThrottledFiles _files = new("iops-total=100");

    public ThrottleStateByPathTests() => _files.Backing.AddFile("a.img", Pattern(64 << 10));

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task ClosingAndReopening_KeepsTheBurstSpent()
    {
        var handle = _files.Open("a.img");
        _files.ReadAtOnce(handle, 11);
        _files.Release(handle);
        var closed = Assert.Single(_files.Policy.GetStatistics().Files);
        Assert.Equal(("a.img", 0, 11L), (closed.Path, closed.Opens, closed.Read.Ops));

        var reopened = _files.Open("a.img");
        var read = _files.Read(reopened, new byte[10]);
        Assert.False(read.IsCompleted); // the 12th request on the same bucket
        _files.Clock.AdvanceTo(TenMilliseconds);
        Assert.Equal(IoResult.Done(10), await Completed(read));

        var statistics = Assert.Single(_files.Policy.GetStatistics().Files);
        Assert.Equal(("a.img", 1, 12L, 1L), (statistics.Path, statistics.Opens, statistics.Read.Ops, statistics.Read.Throttled));
    }

    [Fact]
    public async Task TwoHandlesOnOneFile_ShareOneState()
    {
        var first = _files.Open("a.img");
        var second = _files.Open("a.img", ReadWrite);
        Assert.NotEqual(first, second);
        _files.ReadAtOnce(first, 6);
        _files.ReadAtOnce(second, 5);

        var twelfth = _files.Write(second, 0, "w");
        Assert.False(twelfth.IsCompleted);
        var shared = Assert.Single(_files.Policy.GetStatistics().Files);
        Assert.Equal((2, 11L, 1), (shared.Opens, shared.Read.Ops, shared.Write.QueueDepth));

        _files.Clock.AdvanceTo(TenMilliseconds);
        Assert.Equal(IoResult.Done(1), await Completed(twelfth));
        _files.Release(first);
        Assert.Equal((1, 1L), (_files.Statistics("a.img").Opens, _files.Statistics("a.img").Write.Ops));
    }

    [Fact]
    public void AFileRenamedAndReopened_GetsTheStateOfItsNewPath()
    {
        var handle = _files.Open("a.img");
        _files.ReadAtOnce(handle, 11);
        _files.Release(handle);

        Assert.Equal(Errno.Success, _files.Files.Rename(FileSystemIds.Root, "a.img"u8, FileSystemIds.Root, "b.img"u8, RenameFlags.None));
        var renamed = _files.Open("b.img");
        _files.ReadAtOnce(renamed, 11); // b.img's own burst: the state of a.img stays with a.img

        Assert.Equal(
            [("a.img", 0, 11L), ("b.img", 1, 11L)],
            _files.Policy.GetStatistics().Files.Select(f => (f.Path, f.Opens, f.Read.Ops)));
        Assert.False(_files.Read(renamed, new byte[1]).IsCompleted);
    }

    [Fact]
    public void AFileRenamedWhileOpen_KeepsTheStateItWasOpenedWith_UntilReopened()
    {
        _files.Apply("file b.img iops-total=1");
        var handle = _files.Open("a.img");
        Assert.Equal(Errno.Success, _files.Files.Rename(FileSystemIds.Root, "a.img"u8, FileSystemIds.Root, "b.img"u8, RenameFlags.None));

        _files.ReadAtOnce(handle, 11); // still a.img's iops-total=100
        Assert.Equal(11L, _files.Statistics("a.img").Read.Ops);
        Assert.Null(_files.Policy.GetStatistics("b.img"));

        var reopened = _files.Open("b.img"); // iops-total=1 holds 0.1: the first request passes, the second waits
        Assert.Equal(IoResult.Done(1), AtOnce(_files.Read(reopened, new byte[1])));
        Assert.False(_files.Read(reopened, new byte[1]).IsCompleted);
        Assert.Equal("iops-total=1", _files.Statistics("b.img").Limits);
    }

    [Fact]
    public void Release_ClosesTheThrottle_AndItsStateIsRetainedAsClosed()
    {
        var first = _files.Open("a.img");
        var second = _files.Open("a.img");
        _files.ReadAtOnce(first, 3);
        Assert.Equal(2, _files.Statistics("a.img").Opens);

        _files.Release(first);
        Assert.Equal(1, _files.Statistics("a.img").Opens);
        _files.Release(second);

        var closed = _files.Statistics("a.img");
        Assert.Equal((0, 3L, "iops-total=100"), (closed.Opens, closed.Read.Ops, closed.Limits));
        Assert.True(closed.Buckets.Single().Level > 0, "the closed file's bucket keeps its level");
        Assert.Equal(0, _files.Backing.OpenHandles);
        Assert.Equal(Errno.EBADF, _files.Files.Release(second)); // the inner's answer, passed on
    }

    [Fact]
    public async Task Statistics_CountOpsBytesAndWaitsPerDirection_Exactly()
    {
        // iops-read=100 holds 10: 11 reads pass, the 12th waits 10 ms. iops-write=10 holds 1: writes pass at levels 0
        // and 1 (at capacity still passes), the third finds 2 and waits for 1 operation at 10/s, 100 ms.
        _files.Apply("file a.img iops-total=0,iops-read=100,iops-write=10");
        var handle = _files.Open("a.img", ReadWrite);
        _files.ReadAtOnce(handle, 11);
        var read = _files.Read(handle, new byte[4096]);
        Assert.Equal(IoResult.Done(512), AtOnce(_files.Files.WriteAsync(handle, 0, new byte[512], default)));
        Assert.Equal(IoResult.Done(512), AtOnce(_files.Files.WriteAsync(handle, 512, new byte[512], default)));
        var write = _files.Files.WriteAsync(handle, 1024, new byte[512], default);
        Assert.Equal((1, 1), (_files.Statistics("a.img").Read.QueueDepth, _files.Statistics("a.img").Write.QueueDepth));

        _files.Clock.AdvanceTo(TenMilliseconds);
        Assert.Equal(IoResult.Done(4096), await Completed(read));
        Assert.False(write.IsCompleted);
        _files.Clock.AdvanceTo(TimeSpan.FromMilliseconds(100));
        Assert.Equal(IoResult.Done(512), await Completed(write));

        var mount = _files.Policy.GetStatistics();
        var statistics = Assert.Single(mount.Files);
        Assert.Equal(statistics, _files.Statistics("a.img") with { Buckets = statistics.Buckets });
        Assert.Equal("iops-read=100,iops-write=10", statistics.Limits);
        Assert.Equal((12L, 12 * 4096L, 1L, 0), (statistics.Read.Ops, statistics.Read.Bytes, statistics.Read.Throttled, statistics.Read.QueueDepth));
        Assert.Equal((10.0, 10.0), (statistics.Read.WaitMaxMs, statistics.Read.WaitTotalMs));
        Assert.Equal((3L, 3 * 512L, 1L, 0), (statistics.Write.Ops, statistics.Write.Bytes, statistics.Write.Throttled, statistics.Write.QueueDepth));
        Assert.Equal((100.0, 100.0), (statistics.Write.WaitMaxMs, statistics.Write.WaitTotalMs));
        Assert.Equal(["iops-read", "iops-write"], statistics.Buckets.Select(b => b.Bucket));
        Assert.Equal((0L, 0L), (mount.Mount.Read.Ops, mount.Mount.Write.Ops)); // no mount limits: no mount layer
    }

    [Fact]
    public void Create_KeysTheNewFileByItsPath()
    {
        _files.Backing.AddDirectory("dir");
        var directory = _files.Lookup("dir");

        Assert.Equal(Errno.Success, _files.Files.Create(User, directory, "new.img"u8, WriteOnly | Creat, 0x1A4, out var entry, out var file));

        Assert.Equal("dir/new.img", _files.Files.PathOf(entry.Node));
        Assert.Equal(1, _files.Statistics("dir/new.img").Opens);
        Assert.Equal(IoResult.Done(3), AtOnce(_files.Write(file.Handle, 0, "new")));
        Assert.Equal(1L, _files.Statistics("dir/new.img").Write.Ops);
    }

    [Fact]
    public void AnOpenTheInnerRefuses_IsPassedOn_AndLeavesNoState()
    {
        Assert.Equal(Errno.ENOENT, _files.Files.Open(User, 999, ReadOnly, out _));
        Assert.Equal(Errno.EISDIR, _files.Files.Open(User, FileSystemIds.Root, ReadOnly, out _));
        Assert.Equal(Errno.EEXIST, _files.Files.Create(User, FileSystemIds.Root, "a.img"u8, WriteOnly | Creat | Exclusive, 0x1A4, out _, out _));
        Assert.Empty(_files.Policy.GetStatistics().Files);
    }

    [Fact]
    public void AnInnerHandleInTheLayersRange_IsReleased_AndTheOpenFailsWithEio()
    {
        _files.Backing.HandsOutLayerHandles = true;
        var node = _files.Lookup("a.img");

        Assert.Equal(Errno.EIO, _files.Files.Open(User, node, ReadOnly, out _));
        Assert.Equal(Errno.EIO, _files.Files.Create(User, FileSystemIds.Root, "new.img"u8, WriteOnly | Creat, 0x1A4, out _, out _));

        Assert.Equal(0, _files.Backing.OpenHandles);
        Assert.Equal(0ul, _files.Backing.LookupsOf("new.img")); // the create's lookup was given back
        Assert.Empty(_files.Policy.GetStatistics().Files);
    }
}
