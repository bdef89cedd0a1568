using System.Diagnostics;
using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// Lets a /dev/fuse reader poll for the next request instead of sleeping in read(), as the io_uring rings poll their
/// completion queues: at queue depth 1 a request costs mostly the wake-up of a reader asleep on a halted CPU. A reader
/// polls its own non-blocking clone of the device (<see cref="FuseDevice.TryClone"/>) for the <see cref="SpinWindow"/>,
/// then sleeps in a blocking read() of the session's device as before.
/// </summary>
/// <remarks>
/// One window for all readers, fed with the connection's idle gaps, not one reader's: the kernel wakes its sleeping
/// readers in turn, so each one alone sees gaps as many times longer as there are readers, and would never open its
/// window. One reader polls at a time: on two CPUs a second poller only takes a CPU from the caller.
/// A poller yields the CPU between reads, so a caller made runnable on its CPU (fio reaping its completions) runs.
/// Readers update the window without a lock; a lost update misjudges one gap.
/// </remarks>
internal sealed unsafe class FuseDevicePolling
{
    private readonly SpinWindow _window = new();
    private long _idleSince;
    private int _polling;

    /// <summary>Whether readers poll now: the window is open.</summary>
    public bool Polls => _window.Ticks > 0;

    /// <summary>
    /// Reads the next request from <paramref name="clone"/> while the window is open and no other reader polls.
    /// Returns false when it did not poll or nothing came in time (the reader then sleeps in read()); true with the
    /// read's result otherwise: the request's length, or −1 with errno set.
    /// </summary>
    public bool TryPoll(FuseDevice clone, byte* buffer, int capacity, out long length)
    {
        length = -1;
        var window = _window.Ticks;
        if (window == 0 || Interlocked.CompareExchange(ref _polling, 1, 0) != 0)
        {
            return false;
        }

        var end = Stopwatch.GetTimestamp() + window;
        var error = Errno.EAGAIN;
        do
        {
            length = Read(clone.Fd, buffer, capacity);
            if (length >= 0 || (error = LastError) != Errno.EAGAIN)
            {
                break;
            }

            Thread.Yield();
        }
        while (Stopwatch.GetTimestamp() < end);

        Volatile.Write(ref _polling, 0);
        return length >= 0 || error != Errno.EAGAIN;
    }

    /// <summary>A reader is done with its request (answered, or left waiting for its throttle) and reads the next.</summary>
    public void Done() => Volatile.Write(ref _idleSince, Stopwatch.GetTimestamp());

    /// <summary>
    /// A reader that slept in read() got a request: how long the connection was idle, since the last reader was done,
    /// sizes the window. Not since the last request came: on a disk that alone takes longer than any window.
    /// </summary>
    public void Woke() => _window.Slept(Stopwatch.GetTimestamp() - Volatile.Read(ref _idleSince));
}
