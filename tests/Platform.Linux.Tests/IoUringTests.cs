using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse.Uring;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Tests;

/// <summary>The raw ring the io_uring transport is built on, with an eventfd standing in for /dev/fuse.</summary>
public sealed unsafe class IoUringTests : IDisposable
{
    private readonly IoUring _ring;
    private readonly int _eventFd = EventFd(0, EFD_CLOEXEC);
    private readonly ulong* _value = (ulong*)NativeMemory.AllocZeroed(sizeof(ulong)); // where the reads land

    public IoUringTests()
    {
        var ring = IoUring.Create(4, out var error);
        Assert.True(ring is not null, $"io_uring_setup failed: {error}");
        _ring = ring;
        Assert.True(_eventFd >= 0, $"eventfd failed: {LastError}");
    }

    public void Dispose()
    {
        _ring.Dispose();
        Close(_eventFd);
        NativeMemory.Free(_value);
    }

    [Fact]
    public void AReadOfAnEventFd_CompletesWithItsUserData_OnceAnotherThreadWritesIt()
    {
        var ring = _ring;
        ring.NextSqe()->PrepareRead(_eventFd, _value, sizeof(ulong), 0xfeed);
        Assert.Equal(1u, ring.Unsubmitted);
        Assert.Equal(Errno.Success, ring.Enter(wait: false));
        Assert.Equal(0u, ring.Unsubmitted);
        Assert.False(ring.TryPeek(out _)); // nothing to read yet

        var eventFd = _eventFd;
        var writer = new Thread(() =>
        {
            Thread.Sleep(50);
            var seven = 7UL;
            Write(eventFd, (byte*)&seven, sizeof(ulong));
        });
        writer.Start();
        Assert.Equal(Errno.Success, ring.Enter(wait: true));
        writer.Join();

        Assert.True(ring.TryPeek(out var completion));
        Assert.Equal(0xfeedUL, completion.UserData);
        Assert.Equal(sizeof(ulong), completion.Res);
        Assert.Equal(7UL, *_value);
        ring.Consume();
        Assert.False(ring.TryPeek(out _));
    }

    [Fact]
    public void APollingThread_GetsACompletion_WithoutWaitingInTheKernel()
    {
        var ring = _ring;
        ring.NextSqe()->PrepareRead(_eventFd, _value, sizeof(ulong), 0xbeef);
        Assert.Equal(Errno.Success, ring.Enter(wait: false));
        Assert.False(ring.HasCompletion);

        var seven = 7UL;
        Write(_eventFd, (byte*)&seven, sizeof(ulong));

        // The read is finished in this thread's context: when it next enters the kernel (the flag says so), or
        // when an interrupt happens to bring it there first. Either way polling sees it, without a wait.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!ring.HasCompletion && watch.Elapsed < TimeSpan.FromSeconds(5))
        {
            if (ring.HasTaskWork)
            {
                Assert.Equal(Errno.Success, ring.RunTaskWork());
            }
        }

        Assert.True(ring.TryPeek(out var completion));
        Assert.Equal(0xbeefUL, completion.UserData);
        Assert.Equal(7UL, *_value);
        ring.Consume();
        Assert.False(ring.HasCompletion);
        Assert.False(ring.HasTaskWork);
    }

    [Fact]
    public void ASubmissionEntry_HasTheKernelsLayout()
    {
        // Offsets of struct io_uring_sqe in linux/io_uring.h (measured with gcc's offsetof); 128 bytes with SQE128.
        Assert.Equal(128, sizeof(IoUringSqe));
        Assert.Equal(0, (int)Marshal.OffsetOf<IoUringSqe>(nameof(IoUringSqe.Opcode)));
        Assert.Equal(4, (int)Marshal.OffsetOf<IoUringSqe>(nameof(IoUringSqe.Fd)));
        Assert.Equal(8, (int)Marshal.OffsetOf<IoUringSqe>(nameof(IoUringSqe.CmdOp)));
        Assert.Equal(16, (int)Marshal.OffsetOf<IoUringSqe>(nameof(IoUringSqe.Addr)));
        Assert.Equal(24, (int)Marshal.OffsetOf<IoUringSqe>(nameof(IoUringSqe.Len)));
        Assert.Equal(32, (int)Marshal.OffsetOf<IoUringSqe>(nameof(IoUringSqe.UserData)));
        Assert.Equal(48, (int)Marshal.OffsetOf<IoUringSqe>(nameof(IoUringSqe.Command)));
    }

    [Fact]
    public void TheSubmissionQueue_RefusesMoreEntriesThanItHolds_UntilTheKernelTakesThem()
    {
        var ring = _ring; // 4 entries
        for (var i = 0; i < 4; i++)
        {
            Assert.True(ring.NextSqe() != null); // zeroed: opcode 0 is a NOP
        }

        Assert.True(ring.NextSqe() == null);
        Assert.Equal(Errno.Success, ring.Enter(wait: false));
        Assert.True(ring.NextSqe() != null);
    }
}
