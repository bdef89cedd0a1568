using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse;
using ThrottleFs.Platform.Linux.Fuse.Kernel;
using ThrottleFs.Platform.Linux.Splicing;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Tests.Splicing;

/// <summary>
/// READ replies spliced from a real file on /tmp's disk (read through the page cache) to a pipe that stands in for
/// /dev/fuse: what arrives there is what the kernel would take, header and data.
/// </summary>
public sealed unsafe class FuseReadTargetTests : IDisposable
{
    private const int Size = (3 << 20) + 1234;

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"throttlefs-splice-{Guid.NewGuid():N}.bin");
    private readonly byte[] _content = new byte[Size];
    private readonly int _fd;
    private readonly int _deviceRead;
    private readonly int _deviceWrite;
    private readonly FuseWorkspace _workspace = new(1 << 20);

    public FuseReadTargetTests()
    {
        new Random(41).NextBytes(_content);
        File.WriteAllBytes(_path, _content);
        _fd = OpenFile(_path, O_RDONLY);

        var fds = stackalloc int[2];
        Assert.Equal(0, Pipe2(fds, O_NONBLOCK | O_CLOEXEC));
        (_deviceRead, _deviceWrite) = (fds[0], fds[1]);
        Assert.True(Fcntl(_deviceWrite, F_SETPIPE_SZ, 1 << 20) >= 1 << 20, $"F_SETPIPE_SZ: {LastError}"); // fs.pipe-max-size
    }

    public void Dispose()
    {
        _workspace.Dispose();
        Close(_fd);
        Close(_deviceRead);
        Close(_deviceWrite);
        File.Delete(_path);
    }

    [Theory]
    [InlineData(0, 256 << 10)]
    [InlineData((3 * 4096) + 100, 256 << 10)] // starts inside a page
    [InlineData(1 << 20, 32 << 10)]
    public void ASplicedRead_ReachesTheDeviceAsOneReply_ItsHeaderThenTheFilesBytes(long offset, int length)
    {
        using var pipes = new SplicePipes();
        var target = _workspace.ReadTarget;
        target.Arm(77, length, pipes);

        Assert.True(target.TrySplice(_fd, offset, length, out var result));
        Assert.Equal(IoResult.Done(length), result);
        Assert.True(target.Spliced);
        Assert.Equal(Errno.Success, target.SendSpliced(_deviceWrite));

        var reply = DrainDevice(FuseProtocol.OutHeaderSize + length);
        var header = MemoryMarshal.Read<FuseOutHeader>(reply);
        Assert.Equal((uint)reply.Length, header.Len);
        Assert.Equal(0, header.Error);
        Assert.Equal(77UL, header.Unique);
        Assert.True(reply.AsSpan(FuseProtocol.OutHeaderSize).SequenceEqual(_content.AsSpan((int)offset, length)));

        // The pipe came back, empty, for the next reply.
        Assert.False(target.Spliced);
        Assert.Equal(1, pipes.Made);
        target.Arm(78, length, pipes);
        Assert.True(target.TrySplice(_fd, offset, length, out _));
        Assert.Equal(Errno.Success, target.SendSpliced(_deviceWrite));
        Assert.Equal(length, DrainDevice(FuseProtocol.OutHeaderSize + length).Length - FuseProtocol.OutHeaderSize);
        Assert.Equal(1, pipes.Made);
    }

    [Fact]
    public void AReadThatReachesTheEnd_IsReadIntoTheBuffer_AndThePipeComesBackEmpty()
    {
        using var pipes = new SplicePipes();
        var target = _workspace.ReadTarget;
        var destination = target.Arm(5, 64 << 10, pipes);

        Assert.True(target.TrySplice(_fd, Size - 10_000, 64 << 10, out var result));
        Assert.Equal(IoResult.Done(10_000), result);
        Assert.False(target.Spliced); // the header in the pipe said 64 KiB: the reply goes from the buffer
        Assert.True(destination.Span[..10_000].SequenceEqual(_content.AsSpan(Size - 10_000)));

        target.Arm(6, 64 << 10, pipes);
        Assert.True(target.TrySplice(_fd, 0, 64 << 10, out _));
        Assert.Equal(Errno.Success, target.SendSpliced(_deviceWrite));
        var reply = DrainDevice(FuseProtocol.OutHeaderSize + (64 << 10));
        Assert.Equal(6UL, MemoryMarshal.Read<FuseOutHeader>(reply).Unique); // nothing of the short read was left behind
        Assert.True(reply.AsSpan(FuseProtocol.OutHeaderSize).SequenceEqual(_content.AsSpan(0, 64 << 10)));
    }

    [Fact]
    public void AReadAtTheEnd_IsDeclined()
    {
        using var pipes = new SplicePipes();
        var target = _workspace.ReadTarget;
        target.Arm(5, 64 << 10, pipes);
        Assert.False(target.TrySplice(_fd, Size, 64 << 10, out _));
        Assert.False(target.Spliced);
    }

    [Fact]
    public void WithoutPipes_OrWithEveryPipeOut_AReadIsDeclined()
    {
        var target = _workspace.ReadTarget;
        target.Arm(1, 64 << 10, pipes: null);
        Assert.False(target.TrySplice(_fd, 0, 64 << 10, out _));

        using var pipes = new SplicePipes(capacity: 1);
        using var other = new FuseWorkspace(1 << 20);
        target.Arm(1, 64 << 10, pipes);
        other.ReadTarget.Arm(2, 64 << 10, pipes);
        Assert.True(target.TrySplice(_fd, 0, 64 << 10, out _));
        Assert.False(other.ReadTarget.TrySplice(_fd, 0, 64 << 10, out _));

        Assert.Equal(Errno.Success, target.SendSpliced(_deviceWrite));
        Assert.True(other.ReadTarget.TrySplice(_fd, 0, 64 << 10, out _));
        other.ReadTarget.Reset(); // a reply not sent after all: its pipe is closed
        Assert.Equal(0, pipes.Made);
    }

    [Fact]
    public void AReplyTheDeviceRefuses_ClosesItsPipe()
    {
        using var pipes = new SplicePipes();
        var target = _workspace.ReadTarget;
        target.Arm(9, 64 << 10, pipes);
        Assert.True(target.TrySplice(_fd, 0, 64 << 10, out _));
        Assert.NotEqual(Errno.Success, target.SendSpliced(_deviceRead)); // the read end: nothing can be spliced to it
        Assert.False(target.Spliced);
        Assert.Equal(0, pipes.Made);
    }

    [Fact]
    public void APipe_HoldsAHeaderAndAsManyPagesAsItHasSlotsLeft()
    {
        Assert.Equal(Errno.Success, SplicePipe.TryCreate(out var pipe));
        using (pipe)
        {
            Assert.True(pipe!.Slots >= 256, $"{pipe.Slots} slots"); // 1 MiB, or 2 MiB with CAP_SYS_RESOURCE
            var page = Environment.SystemPageSize;
            Assert.True(pipe.Fits(0, (pipe.Slots - 1) * page));
            Assert.False(pipe.Fits(1, (pipe.Slots - 1) * page)); // one page more touched
            Assert.False(pipe.Fits(0, ((pipe.Slots - 1) * page) + 1));
        }
    }

    [Fact]
    public void ThePool_DeclinesAReplyLargerThanItsPipes_KeepingThePipeItMadeToLearnIt()
    {
        using var pipes = new SplicePipes();
        var huge = 4 << 20; // larger than any pipe this process may make (2 MiB with CAP_SYS_RESOURCE)
        Assert.False(pipes.TryRent(0, huge, out _));
        Assert.Equal(1, pipes.Made);

        Assert.True(pipes.TryRent(0, 64 << 10, out var pipe)); // that same pipe
        Assert.Equal(1, pipes.Made);
        var tooLarge = pipe.Slots * Environment.SystemPageSize; // no room left for the header
        pipes.Return(pipe);
        Assert.False(pipes.TryRent(0, tooLarge, out _));
        Assert.True(pipes.TryRent(0, tooLarge - Environment.SystemPageSize, out _));
        Assert.Equal(1, pipes.Made);
    }

    private byte[] DrainDevice(int length)
    {
        var bytes = new byte[length + 1];
        fixed (byte* p = bytes)
        {
            var read = Read(_deviceRead, p, bytes.Length);
            Assert.True(read == length, $"read {read} of {length} from the device's stand-in ({LastError})");
        }

        return bytes[..length];
    }

    private static int OpenFile(string path, int flags)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = name)
        {
            var fd = Open(p, flags | O_CLOEXEC, 0);
            Assert.True(fd >= 0, $"open {path}: {LastError}");
            return fd;
        }
    }
}
