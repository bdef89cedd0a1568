using System.Runtime.InteropServices;
using System.Text;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;
using ThrottleFs.Platform.Linux.Passthrough;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Tests.Passthrough;

/// <summary>
/// The read-ahead of an O_DIRECT file read sequentially, on a real file on this machine's disk (/tmp), driven the way
/// the passthrough drives it: enter, serve or read, follow.
/// </summary>
public sealed unsafe class ReadAheadTests : IDisposable
{
    private const int Block = 256 * 1024;
    private const int Blocks = 8;

    private readonly string _path = Path.Combine(Directory.CreateTempSubdirectory("throttlefs-readahead-").FullName, "data.bin");
    private readonly byte[] _data = new byte[Blocks * Block];
    private readonly VirtualClock _clock = new(); // stands still unless a test moves it: no test depends on timing
    private readonly ReadAheadBuffers _buffers;
    private readonly PassthroughNode _node = new(2, 0, 0, isDirectory: false, handle: null, mountFd: -1);
    private readonly PassthroughFile _file;
    private readonly byte* _target = (byte*)NativeMemory.AlignedAlloc(Block, 4096);

    public ReadAheadTests()
    {
        _buffers = new ReadAheadBuffers(ReadAhead.Depth + 1, _clock);
        new Random(14).NextBytes(_data);
        File.WriteAllBytes(_path, _data);
        var path = Encoding.UTF8.GetBytes(_path + "\0");
        int fd;
        fixed (byte* p = path)
        {
            fd = Open(p, O_RDONLY | O_DIRECT | O_CLOEXEC, 0);
        }

        Assert.True(fd >= 0, $"open O_DIRECT: {LastError}");
        _file = new PassthroughFile(fd, O_RDONLY | O_DIRECT, NodeDescriptor.None, _node, new DescriptorBudget(1000, 0), _buffers);
    }

    [Fact]
    public void ASequentialReader_IsServedFromTheReadAhead_FromItsThirdRead_ExactlyWhatIsOnDisk()
    {
        Assert.False(Read(0 * Block).Served);
        Assert.False(Read(1 * Block).Served); // the second in a row starts reading the third and fourth
        Assert.Equal(ReadAhead.Depth, _buffers.Lent);
        for (var block = 2; block < Blocks; block++)
        {
            var (served, result) = Read(block * Block);
            Assert.True(served, $"block {block} was read again");
            Assert.Equal(IoResult.Done(Block), result);
            Assert.True(new ReadOnlySpan<byte>(_target, Block).SequenceEqual(_data.AsSpan(block * Block, Block)), $"block {block} differs");
        }

        // Past the end: read ahead too, and it says so.
        Assert.Equal((true, IoResult.Done(0)), Read(Blocks * Block));
    }

    [Fact]
    public void AChangeToTheFile_DropsAReadAheadTakenBeforeIt()
    {
        Read(0);
        Read(Block); // reading blocks 2 and 3 ahead
        var changed = new byte[Block];
        new Random(15).NextBytes(changed);
        using (var writer = new FileStream(_path, FileMode.Open, FileAccess.Write))
        {
            writer.Position = 2 * Block;
            writer.Write(changed);
        }

        _node.DataChanged(); // what the passthrough does after any write, truncate, fallocate or copy into the node

        var (served, result) = Read(2 * Block);
        Assert.False(served);
        Assert.Equal(IoResult.Done(Block), result);
        Assert.True(new ReadOnlySpan<byte>(_target, Block).SequenceEqual(changed));
        Assert.True(Read(3 * Block).Served, "reading on in sequence reads ahead again");
    }

    [Fact]
    public void AReaderThatJumps_ReadsDirectly_AndTheReadAheadGivesItsBufferBack()
    {
        Read(0);
        Read(Block); // reading blocks 2 and 3 ahead
        Assert.False(Read(5 * Block).Served);
        Assert.True(SpinWait.SpinUntil(() => _buffers.Lent == 0, TimeSpan.FromSeconds(5)), "the abandoned read ahead kept its buffer");
        Assert.True(new ReadOnlySpan<byte>(_target, Block).SequenceEqual(_data.AsSpan(5 * Block, Block)));

        Assert.False(Read(6 * Block).Served); // in sequence again: reads blocks 7 and 8 ahead
        Assert.True(Read(7 * Block).Served);
    }

    [Fact]
    public void AReaderSlowerThanTheMostAReadAheadMayAge_IsNotReadAhead()
    {
        // A throttled reader, say: what would be read ahead for it would be too old to serve by the time it asks.
        for (var block = 0; block < 4; block++)
        {
            Assert.False(Read(block * Block).Served);
            Assert.Equal(0, _buffers.Lent);
            _clock.Advance(ReadAhead.MaxAge + TimeSpan.FromMilliseconds(1));
        }
    }

    [Fact]
    public void AStretchOlderThanTheMostAReadAheadMayAge_IsNotServed()
    {
        Read(0);
        Read(Block); // reading blocks 2 and 3 ahead
        _clock.Advance(ReadAhead.MaxAge + TimeSpan.FromMilliseconds(1)); // the file may have changed behind the mount

        Assert.False(Read(2 * Block).Served);
        Assert.True(new ReadOnlySpan<byte>(_target, Block).SequenceEqual(_data.AsSpan(2 * Block, Block)));
        Assert.True(SpinWait.SpinUntil(() => _buffers.Lent == 0, TimeSpan.FromSeconds(5)), "block 3's stretch, read no later than block 2's, was kept");
        Assert.False(Read(3 * Block).Served);
    }

    [Fact]
    public void SmallReads_AreNotReadAhead()
    {
        const int small = ReadAhead.MinLength / 2;
        for (var offset = 0; offset < 8 * small; offset += small)
        {
            Assert.False(Read(offset, small).Served);
            Assert.Equal(0, _buffers.Lent);
        }
    }

    [Fact]
    public void ReadsThatAreNotPageAligned_AreNotReadAhead()
    {
        // 512-byte aligned, so the O_DIRECT descriptor may take them; a stretch after them would not be page-aligned.
        const int odd = Block - 512;
        for (var offset = 0; offset < 4 * odd; offset += odd)
        {
            Read(offset, odd);
            Assert.Equal(0, _buffers.Lent);
        }
    }

    [Fact]
    public void WhileOneRequestIsInside_AnotherOnTheHandleReadsDirectly()
    {
        var ahead = _file.ReadAhead!;
        Assert.True(ahead.TryEnter());
        Assert.False(ahead.TryEnter());
        ahead.Exit();
        Assert.True(ahead.TryEnter());
        ahead.Exit();
    }

    [Fact]
    public void AFileOpenedOnlyForWriting_HasNoReadAhead()
    {
        var path = Encoding.UTF8.GetBytes(_path + "\0");
        int fd;
        fixed (byte* p = path)
        {
            fd = Open(p, O_WRONLY | O_DIRECT | O_CLOEXEC, 0);
        }

        var writer = new PassthroughFile(fd, O_WRONLY | O_DIRECT, NodeDescriptor.None, _node, new DescriptorBudget(1000, 0), _buffers);
        Assert.Null(writer.ReadAhead);
        writer.Close();
    }

    public void Dispose()
    {
        _file.Close(); // waits for a read ahead still running, and gives its buffer back
        Assert.Equal(0, _buffers.Lent);
        _buffers.Dispose();
        NativeMemory.AlignedFree(_target);
        Directory.Delete(Path.GetDirectoryName(_path)!, recursive: true);
    }

    // One request as PassthroughFileSystem.ReadAsync makes it: from the read ahead when it holds the data, else pread.
    private (bool Served, IoResult Result) Read(long offset, int length = Block)
    {
        var ahead = _file.ReadAhead!;
        Assert.True(ahead.TryEnter());
        try
        {
            var served = ahead.TryServe(offset, _target, length, out var result);
            if (!served)
            {
                var done = PRead(_file.Fd, _target, length, offset);
                result = done < 0 ? IoResult.Failed(LastError) : IoResult.Done(done);
            }

            ahead.Follow(offset, length, result);
            return (served, result);
        }
        finally
        {
            ahead.Exit();
        }
    }
}
