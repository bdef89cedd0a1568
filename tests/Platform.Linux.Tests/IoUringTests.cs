using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse.Uring;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Tests;

/// <summary>The raw ring the io_uring transport is built on, with an eventfd standing in for /dev/fuse.</summary>
public sealed unsafe class IoUringTests
{
    [Fact]
    public void AReadOfAnEventFd_CompletesWithItsUserData_OnceAnotherThreadWritesIt()
    {
        using var ring = IoUring.Create(4, out var error);
        Assert.True(ring is not null, $"io_uring_setup failed: {error}");
        var eventFd = EventFd(0, EFD_CLOEXEC);
        Assert.True(eventFd >= 0);
        var value = 0UL;
        try
        {
            ReadEventFd(ring, eventFd, &value, 0xfeed);
            Assert.Equal(1u, ring.Unsubmitted);
            Assert.Equal(Errno.Success, ring.Enter(wait: false));
            Assert.Equal(0u, ring.Unsubmitted);
            Assert.False(ring.TryPeek(out _)); // nothing to read yet

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
            Assert.Equal(7UL, value);
            ring.Consume();
            Assert.False(ring.TryPeek(out _));
        }
        finally
        {
            Close(eventFd);
        }
    }

    [Fact]
    public void APollingThread_GetsACompletion_WithoutWaitingInTheKernel()
    {
        using var ring = IoUring.Create(4, out var error);
        Assert.True(ring is not null, $"io_uring_setup failed: {error}");
        var eventFd = EventFd(0, EFD_CLOEXEC);
        Assert.True(eventFd >= 0);
        var value = 0UL;
        try
        {
            ReadEventFd(ring, eventFd, &value, 0xbeef);
            Assert.Equal(Errno.Success, ring.Enter(wait: false));
            Assert.False(ring.HasCompletion);

            var seven = 7UL;
            Write(eventFd, (byte*)&seven, sizeof(ulong));

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
            Assert.Equal(7UL, value);
            ring.Consume();
            Assert.False(ring.HasCompletion);
            Assert.False(ring.HasTaskWork);
        }
        finally
        {
            Close(eventFd);
        }
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
        using var ring = IoUring.Create(4, out _);
        Assert.NotNull(ring);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(ring.NextSqe() != null); // zeroed: opcode 0 is a NOP
        }

        Assert.True(ring.NextSqe() == null);
        Assert.Equal(Errno.Success, ring.Enter(wait: false));
        Assert.True(ring.NextSqe() != null);
    }

    // Queues a read of the eventfd's 8-byte counter into value, tagged userData.
    private static void ReadEventFd(IoUring ring, int eventFd, ulong* value, ulong userData)
    {
        var sqe = ring.NextSqe();
        sqe->Opcode = IORING_OP_READ;
        sqe->Fd = eventFd;
        sqe->Addr = (ulong)value;
        sqe->Len = sizeof(ulong);
        sqe->UserData = userData;
    }
}
