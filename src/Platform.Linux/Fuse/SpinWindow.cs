using System.Diagnostics;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// How long a transport's thread polls for the next request before it sleeps (an io_uring ring's thread, or a /dev/fuse
/// reader: <see cref="FuseDevicePolling"/>), adapted the way the kernel's haltpoll adapts a guest's idle polling. Sleeping is what a request at queue depth 1 pays for most here: the CPU halts, and the next
/// request must wake it (and, on a VM, its host). Polling costs a CPU while it lasts, so the window only grows while
/// the gaps between requests are short enough that polling would have caught them, and shrinks back to nothing once
/// they are not: a mount whose requests come more than <see cref="MaxTicks"/> apart (an idle one, sparse or throttled
/// traffic, large requests whose reply copy alone takes longer) does not poll at all.
/// </summary>
internal sealed class SpinWindow
{
    /// <summary>The longest window (a gap this long is no longer a queue-depth-1 round trip).</summary>
    public static readonly long MaxTicks = Stopwatch.Frequency * 50 / 1_000_000;

    /// <summary>The window a short gap opens from nothing.</summary>
    public static readonly long StartTicks = Stopwatch.Frequency * 10 / 1_000_000;

    /// <summary>How long to poll before sleeping, in <see cref="Stopwatch"/> ticks; 0: do not poll.</summary>
    public long Ticks { get; private set; }

    /// <summary>
    /// The transport was idle for <paramref name="idleTicks"/>, polling for all of the window and sleeping for the rest: a gap
    /// no longer than <see cref="MaxTicks"/> doubles the window (up to it), a longer one halves it (to nothing once it is
    /// below <see cref="StartTicks"/>). A gap polling caught leaves the window as it is.
    /// </summary>
    public void Slept(long idleTicks)
    {
        if (idleTicks <= MaxTicks)
        {
            Ticks = Math.Min(Math.Max(Ticks * 2, StartTicks), MaxTicks);
        }
        else
        {
            Ticks /= 2;
            if (Ticks < StartTicks)
            {
                Ticks = 0;
            }
        }
    }
}
