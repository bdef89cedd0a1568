using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Tests;

/// <summary>
/// A /dev/fuse reader polls for the next request only while the connection's requests come back to back: each soon
/// after the last reader was done with the one before. A
/// non-blocking pipe stands in for the reader's cloned device: empty, a read of it fails with EAGAIN, as the clone's does
/// when no request waits.
/// </summary>
public sealed unsafe class FuseDevicePollingTests : IDisposable
{
    private readonly int _read;
    private readonly int _write;
    private readonly FuseDevicePolling _polling = new();
    private readonly byte[] _buffer = new byte[4096];

    public FuseDevicePollingTests()
    {
        var fds = stackalloc int[2];
        Assert.Equal(0, Pipe2(fds, O_NONBLOCK | O_CLOEXEC));
        (_read, _write) = (fds[0], fds[1]);
    }

    public void Dispose()
    {
        Close(_read);
        Close(_write);
    }

    [Fact]
    public void ANewConnection_DoesNotPoll_AndLeavesTheRequestToTheBlockingRead()
    {
        Send("request");
        Assert.False(_polling.Polls);
        Assert.False(Poll(out _));
        Assert.Equal("request", Drain());
    }

    [Fact]
    public void RequestsBackToBack_OpenTheWindow_AndAPollTakesTheNextRequest()
    {
        RequestsBackToBack();
        Send("next");
        Assert.True(Poll(out var length));
        Assert.Equal(4, length);
        Assert.Equal("next", System.Text.Encoding.ASCII.GetString(_buffer, 0, 4));
    }

    [Fact]
    public void APollThatFindsNothing_GivesUpWithinTheWindow_AndTakesNothing()
    {
        RequestsBackToBack();
        Assert.False(Poll(out _));
        Send("late");
        Assert.Equal("late", Drain());
    }

    [Fact]
    public void AFailedRead_IsTheResult_ForTheReaderToHandle()
    {
        RequestsBackToBack();
        var device = new FuseDevice(-1);
        fixed (byte* buffer = _buffer)
        {
            Assert.True(_polling.TryPoll(device, buffer, _buffer.Length, out var length));
            Assert.Equal(-1, length);
            Assert.Equal(Errno.EBADF, LastError);
        }
    }

    [Fact]
    public void RequestsFarApart_CloseTheWindowAgain()
    {
        RequestsBackToBack();
        for (var i = 0; i < 10 && _polling.Polls; i++)
        {
            _polling.Done();
            Thread.Sleep(1); // idle for a millisecond or more: twenty times the longest window
            _polling.Woke();
        }

        Assert.False(_polling.Polls);
        Send("request");
        Assert.False(Poll(out _));
    }

    // Each request read by a sleeping reader right after the last reader was done: idle gaps far shorter than the
    // longest window. A few more than needed, in case the test itself is preempted between two.
    private void RequestsBackToBack()
    {
        for (var i = 0; i < 100 && !_polling.Polls; i++)
        {
            _polling.Done();
            _polling.Woke();
        }

        Assert.True(_polling.Polls, "a hundred requests back to back did not open the window");
    }

    private bool Poll(out long length)
    {
        fixed (byte* buffer = _buffer)
        {
            return _polling.TryPoll(new FuseDevice(_read), buffer, _buffer.Length, out length);
        }
    }

    private void Send(string text)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        fixed (byte* p = bytes)
        {
            Assert.Equal(bytes.Length, Write(_write, p, bytes.Length));
        }
    }

    private string Drain()
    {
        fixed (byte* buffer = _buffer)
        {
            var length = Read(_read, buffer, _buffer.Length);
            return length < 0 ? $"errno {LastError}" : System.Text.Encoding.ASCII.GetString(_buffer, 0, (int)length);
        }
    }
}
