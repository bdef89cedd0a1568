using System.Text;
using ThrottleFs.Configuration;
using ThrottleFs.Control;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse;
using ThrottleFs.Platform.Linux.Fuse.Kernel;
using ThrottleFs.Platform.Linux.Hosting;
using ThrottleFs.Platform.Linux.Passthrough;
using ThrottleFs.Qos;
using ThrottleFs.Throttling;

namespace ThrottleFs.Platform.Linux.Tests;

/// <summary>
/// The protocol with no mount: request bytes go into the dispatcher, reply bytes come out, against a real
/// passthrough of a temporary directory.
/// </summary>
public sealed class FuseDispatcherTests : IDisposable
{
    private const uint KernelFlags = 0x73fffffb; // what kernel 6.18 offers in INIT on our CI machines
    private const uint KernelFlags2 = 0x5fd;

    private readonly string _backing = Directory.CreateTempSubdirectory("throttlefs-protocol-").FullName;
    private readonly VirtualClock _clock = new();
    private readonly RecordingChannel _channel = new();
    private readonly FuseWorkspacePool _pool = new(1 << 20);
    private readonly PassthroughFileSystem _passthrough;
    private readonly ThrottlePolicy _policy;
    private readonly FuseDispatcher _dispatcher;
    private readonly FuseRequestBuilder _kernel;

    public FuseDispatcherTests()
    {
        File.WriteAllText(Path.Combine(_backing, "hello.txt"), "hello, throttled world");
        Directory.CreateDirectory(Path.Combine(_backing, "dir"));
        _passthrough = new PassthroughFileSystem(_backing, SourceLayout.Directory);
        _policy = new ThrottlePolicy(new ThrottleFsSettings { FileLimits = ThrottleSpec.Parse("iops-total=1") }, _clock);
        var fileSystem = new ThrottledFileSystem(_passthrough, _policy);
        _dispatcher = new FuseDispatcher(fileSystem, _channel, new FuseOptions(), _pool);
        _kernel = new FuseRequestBuilder(_dispatcher, _pool);
    }

    public void Dispose()
    {
        _policy.Dispose();
        _passthrough.Dispose();
        _pool.Dispose();
        Directory.Delete(_backing, recursive: true);
    }

    [Fact]
    public void Init_TakesWhatTheKernelOffersOfWhatWeWant_AndFillsMaxPages()
    {
        var reply = Init(minor: 45, KernelFlags | (1u << 30), KernelFlags2);

        Assert.Equal(Errno.Success, reply.Error);
        Assert.Equal(16 + 64, reply.Bytes.Length); // exactly sizeof(fuse_init_out) for minor >= 23
        var init = reply.Read<FuseInitOut>();
        Assert.Equal(7u, init.Major);
        Assert.Equal(38u, init.Minor);
        Assert.Equal(1u << 20, init.MaxWrite);
        Assert.Equal(256, init.MaxPages);
        Assert.Equal(256, init.MaxBackground);
        Assert.NotEqual(0u, init.Flags & (1u << 15)); // ASYNC_DIO
        Assert.NotEqual(0u, init.Flags & (1u << 18)); // PARALLEL_DIROPS
        Assert.NotEqual(0u, init.Flags & (1u << 22)); // MAX_PAGES
        Assert.Equal(0u, init.Flags & (1u << 1));     // no POSIX_LOCKS: locks stay kernel-local
        Assert.Equal(0u, init.Flags & (1u << 10));    // no FLOCK_LOCKS
        Assert.Equal(0u, init.Flags & (1u << 16));    // no WRITEBACK_CACHE: every write reaches the throttle
        Assert.Equal(1u << 4, init.Flags2);           // DIRECT_IO_ALLOW_MMAP, so MAP_SHARED works on direct-I/O files
    }

    [Fact]
    public void Init_WithoutInitExt_IgnoresFlags2()
    {
        var init = Init(minor: 34, KernelFlags & ~(1u << 30), KernelFlags2).Read<FuseInitOut>();
        Assert.Equal(34u, init.Minor);
        Assert.Equal(0u, init.Flags2);
    }

    [Fact]
    public void Init_FromANewerMajor_AnswersWithOurMajorOnly()
    {
        var reply = Init(minor: 0, 0, 0, major: 8);
        Assert.Equal(16 + 8, reply.Bytes.Length);
        Assert.Equal(7u, BitConverter.ToUInt32(reply.Payload));
    }

    [Fact]
    public void RequestsBeforeInit_FailWithEIO()
    {
        var (unique, _) = _kernel.Send(FuseOpcode.Lookup, 1, "hello.txt");
        Assert.Equal(Errno.EIO, _channel.WaitFor(unique).Error);
    }

    [Theory]
    [InlineData(52u)] // STATX: the kernel sends it whatever minor we agree on
    [InlineData(31u)] // GETLK: we never ask for remote locks
    [InlineData(99u)]
    public void UnknownOpcodes_GetENOSYS_AsABareHeader(uint opcode)
    {
        Init();
        var (unique, _) = _kernel.Send((FuseOpcode)opcode, 1, new byte[16]);
        var reply = _channel.WaitFor(unique);
        Assert.Equal(Errno.ENOSYS, reply.Error);
        Assert.Equal(16, reply.Bytes.Length);
    }

    [Fact]
    public void ShortInput_GetsEIO()
    {
        Init();
        var (unique, _) = _kernel.Send(FuseOpcode.Read, 1, new byte[12]); // fuse_read_in is 40 bytes
        Assert.Equal(Errno.EIO, _channel.WaitFor(unique).Error);
    }

    [Fact]
    public void Forget_GetsNoReply()
    {
        Init();
        var before = _channel.Count;
        _kernel.Send(FuseOpcode.Forget, 5, new FuseForgetIn { NLookup = 1 });
        Assert.Equal(before, _channel.Count);
    }

    [Fact]
    public void Lookup_FindsTheBackingFile_AndMissingNamesAreENOENT()
    {
        Init();
        var entry = Lookup("hello.txt");
        Assert.Equal(22ul, entry.Attr.Size);
        Assert.NotEqual(1ul, entry.NodeId);
        Assert.Equal(1ul, entry.EntryValid);

        var (unique, _) = _kernel.Send(FuseOpcode.Lookup, 1, "nope");
        Assert.Equal(Errno.ENOENT, _channel.WaitFor(unique).Error);
    }

    [Fact]
    public void OpenAndRead_ReturnsTheDataInOneReply_WithDirectIoAndParallelWrites()
    {
        Init();
        var node = Lookup("hello.txt").NodeId;
        var open = Reply(_kernel.Send(FuseOpcode.Open, node, new FuseOpenIn { Flags = 0 })).Read<FuseOpenOut>();
        Assert.Equal(1u | 64u, open.OpenFlags); // FOPEN_DIRECT_IO | FOPEN_PARALLEL_DIRECT_WRITES

        var read = Reply(_kernel.Send(FuseOpcode.Read, node, new FuseReadIn { Fh = open.Fh, Offset = 7, Size = 4096 }));
        Assert.Equal("throttled world", Encoding.UTF8.GetString(read.Payload));
        Assert.Equal((uint)read.Bytes.Length, read.Header.Len);
    }

    [Fact]
    public void Write_ReachesTheBackingFile()
    {
        Init();
        var node = Lookup("hello.txt").NodeId;
        var open = Reply(_kernel.Send(FuseOpcode.Open, node, new FuseOpenIn { Flags = 2 })).Read<FuseOpenOut>();
        var data = Encoding.UTF8.GetBytes("HELLO");
        var written = Reply(_kernel.Send(FuseOpcode.Write, node, new FuseWriteIn { Fh = open.Fh, Offset = 0, Size = 5 }, data)).Read<FuseWriteOut>();
        Assert.Equal(5u, written.Size);
        Assert.Equal("HELLO, throttled world", File.ReadAllText(Path.Combine(_backing, "hello.txt")));
    }

    [Fact]
    public void InterruptingAReadThatWaitsForItsThrottle_AnswersItWithEINTR()
    {
        Init();
        var node = Lookup("hello.txt").NodeId;
        var fh = Reply(_kernel.Send(FuseOpcode.Open, node, new FuseOpenIn())).Read<FuseOpenOut>().Fh;

        // iops-total=1 admits the first read; the clock never moves, so the second waits for good.
        Reply(_kernel.Send(FuseOpcode.Read, node, new FuseReadIn { Fh = fh, Size = 4 }));
        var (waiting, kept) = _kernel.Send(FuseOpcode.Read, node, new FuseReadIn { Fh = fh, Size = 4 });
        Assert.True(kept);
        Assert.False(_channel.HasReplyTo(waiting));
        Assert.Equal(1, _dispatcher.InFlight);

        var (interrupt, _) = _kernel.Send(FuseOpcode.Interrupt, 0, new FuseInterruptIn { Unique = waiting });
        Assert.Equal(Errno.EINTR, _channel.WaitFor(waiting).Error);
        Assert.False(_channel.HasReplyTo(interrupt)); // an interrupt that found its request gets no reply
        Assert.Equal(0, _dispatcher.InFlight);
    }

    [Fact]
    public void InterruptForARequestNotWaiting_AsksTheKernelToRetry()
    {
        Init();
        var (interrupt, _) = _kernel.Send(FuseOpcode.Interrupt, 0, new FuseInterruptIn { Unique = 12345 });
        Assert.Equal(Errno.EAGAIN, _channel.WaitFor(interrupt).Error);
    }

    // Over /dev/fuse the request may have come through any reader's clone of the device, and only that one takes the
    // EAGAIN: each device is offered it in turn, until one does not refuse it with ENOENT.
    [Fact]
    public void InterruptForARequestNotWaiting_IsOfferedToEachDevice_UntilOneTakesIt()
    {
        Init();
        var refusing = new RecordingChannel(Errno.ENOENT);
        var taking = new RecordingChannel();
        var after = new RecordingChannel();
        _dispatcher.Devices = [refusing, taking, after];
        var (interrupt, _) = _kernel.Send(FuseOpcode.Interrupt, 0, new FuseInterruptIn { Unique = 12345 });
        Assert.Equal(Errno.EAGAIN, refusing.WaitFor(interrupt).Error);
        Assert.Equal(Errno.EAGAIN, taking.WaitFor(interrupt).Error);
        Assert.Equal(0, after.Count);
    }

    [Fact]
    public void Readdir_PacksEntriesAlignedToEightBytes()
    {
        Init();
        var fh = Reply(_kernel.Send(FuseOpcode.Opendir, 1, new FuseOpenIn())).Read<FuseOpenOut>().Fh;
        var reply = Reply(_kernel.Send(FuseOpcode.Readdir, 1, new FuseReadIn { Fh = fh, Size = 4096 }));
        var names = new List<string>();
        var payload = reply.Payload;
        for (var position = 0; position < payload.Length;)
        {
            var dirent = System.Runtime.InteropServices.MemoryMarshal.Read<FuseDirent>(payload[position..]);
            names.Add(Encoding.UTF8.GetString(payload.Slice(position + 24, (int)dirent.NameLen)));
            position += (24 + (int)dirent.NameLen + 7) & ~7;
        }

        Assert.Equal([".", "..", "dir", "hello.txt"], names.Order());
    }

    [Fact]
    public void ReaddirPlus_CountsALookupForEveryRealEntry()
    {
        Init();
        var fh = Reply(_kernel.Send(FuseOpcode.Opendir, 1, new FuseOpenIn())).Read<FuseOpenOut>().Fh;
        var reply = Reply(_kernel.Send(FuseOpcode.Readdirplus, 1, new FuseReadIn { Fh = fh, Size = 4096 }));
        var nodes = new List<ulong>();
        var payload = reply.Payload;
        for (var position = 0; position < payload.Length;)
        {
            var plus = System.Runtime.InteropServices.MemoryMarshal.Read<FuseDirentplus>(payload[position..]);
            nodes.Add(plus.EntryOut.NodeId);
            position += (152 + (int)plus.Dirent.NameLen + 7) & ~7;
        }

        Assert.Equal(2, nodes.Count(n => n == 0));  // "." and ".." carry no node
        Assert.Equal(2, nodes.Count(n => n > 1));   // "dir" and "hello.txt" were looked up
        var hello = Lookup("hello.txt").NodeId;
        Assert.Contains(hello, nodes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public unsafe void ReadsAndWritesThatDoNotWait_AllocateNothing_EvenThroughThrottleLayers_AndWhileATraceRecordsThem(bool traced)
    {
        var counting = new CountingChannel();
        using var policy = new ThrottlePolicy(
            new ThrottleFsSettings { FileLimits = ThrottleSpec.Parse("iops-total=1000000000"), MountLimits = ThrottleSpec.Parse("bps-total=1T") }, _clock);
        var panel = new ControlPanel(policy, Serilog.Core.Logger.None, 0);
        using var tracer = panel.Tracer;
        var throttled = new ThrottledFileSystem(_passthrough, policy, panel.Tracer);
        var controlled = new ControlFileSystem(throttled, panel, ".throttlefs", 0, new ProcProcessNames());
        var trace = Path.Combine(Path.GetTempPath(), $"throttlefs-{Guid.NewGuid():N}.trace");
        Assert.True(!traced || panel.Execute($"trace start {trace}\n", "test"));
        var dispatcher = new FuseDispatcher(controlled, counting, new FuseOptions(), _pool);
        var kernel = new FuseRequestBuilder(dispatcher, _pool);
        kernel.Send(FuseOpcode.Init, 0, new FuseInitIn { Major = 7, Minor = 38, Flags = KernelFlags });
        kernel.Send(FuseOpcode.Lookup, 1, "hello.txt");
        kernel.Send(FuseOpcode.Open, 2, new FuseOpenIn { Flags = 2 });
        var read = Request(FuseOpcode.Read, 2, new FuseReadIn { Fh = 1, Size = 4096 });
        var write = Request(FuseOpcode.Write, 2, new FuseWriteIn { Fh = 1, Offset = 0, Size = 5 }, "HELLO"u8.ToArray());

        // A write by a caller without CAP_FSETID also asks to remove set-id bits: free once the file is known to have none.
        var unprivilegedWrite = Request(FuseOpcode.Write, 2, new FuseWriteIn { Fh = 1, Offset = 0, Size = 5, WriteFlags = 1 << 2 }, "HELLO"u8.ToArray());
        var workspace = _pool.Rent();

        void Run(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var request = (i % 3) switch { 0 => read, 1 => write, _ => unprivilegedWrite };
                request.CopyTo(new Span<byte>(workspace.Buffer.Request, request.Length));
                Assert.False(dispatcher.Dispatch(workspace, request.Length));
            }
        }

        Run(2_000); // warm up: JIT, pools, first-use caches
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(10_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(12_000 + 3, counting.Count);
        Assert.True(allocated == 0, $"{allocated} bytes allocated for 10,000 requests");
        _pool.Return(workspace);
        if (traced)
        {
            // 12,000 requests in a tight loop outrun the writer's 100 ms drains: what did not fit in the ring is
            // dropped and counted, not waited for.
            var recorder = tracer.Current!;
            tracer.Dispose();
            var lines = File.ReadLines(trace).Count(line => line.Contains(" read ") || line.Contains(" write "));
            Assert.Equal(12_000, lines + recorder.Dropped);
            Assert.Equal(lines, recorder.Written);
            File.Delete(trace);
        }
    }

    private static byte[] Request(FuseOpcode opcode, ulong node, object input, byte[]? payload = null)
    {
        var body = new byte[System.Runtime.InteropServices.Marshal.SizeOf(input) + (payload?.Length ?? 0)];
        var handle = System.Runtime.InteropServices.GCHandle.Alloc(body, System.Runtime.InteropServices.GCHandleType.Pinned);
        System.Runtime.InteropServices.Marshal.StructureToPtr(input, handle.AddrOfPinnedObject(), false);
        handle.Free();
        payload?.CopyTo(body, body.Length - payload.Length);
        var bytes = new byte[40 + body.Length];
        var header = new FuseInHeader { Len = (uint)bytes.Length, Opcode = (uint)opcode, Unique = 1000, NodeId = node };
        System.Runtime.InteropServices.MemoryMarshal.Write(bytes, in header);
        body.CopyTo(bytes, 40);
        return bytes;
    }

    private sealed class CountingChannel : IFuseChannel
    {
        public int Count { get; private set; }

        public Errno Send(ReadOnlySpan<byte> reply)
        {
            Count++;
            return Errno.Success;
        }
    }

    private Reply Init(uint minor = 45, uint flags = KernelFlags | (1u << 30), uint flags2 = KernelFlags2, uint major = 7) =>
        Reply(_kernel.Send(FuseOpcode.Init, 0, new FuseInitIn { Major = major, Minor = minor, MaxReadahead = 131072, Flags = flags, Flags2 = flags2 }));

    private FuseEntryOut Lookup(string name)
    {
        var reply = Reply(_kernel.Send(FuseOpcode.Lookup, 1, name));
        Assert.Equal(Errno.Success, reply.Error);
        return reply.Read<FuseEntryOut>();
    }

    private Reply Reply((ulong Unique, bool Waiting) sent) => _channel.WaitFor(sent.Unique);
}
