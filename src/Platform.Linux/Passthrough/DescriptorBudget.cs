using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// How many descriptors the passthrough may hold, from the process's open-file limit (RLIMIT_NOFILE, which the server
/// raises to its hard maximum first), and how many it holds: node descriptors, cached or in use, open files (with
/// their second, buffered descriptor) and open directories, and the descriptors of the backing mounts.
/// <para>
/// Opens are the only requests that keep descriptors for long, so they are the ones refused (EMFILE) when the
/// descriptors run short, and they are refused early: an open may only take the passthrough up to
/// <see cref="Ceiling"/>, which leaves a reserve below the real limit for what the runtime opens and for the
/// descriptors a stat, lookup or readdir needs for the length of one call. Idle cached node descriptors give way to
/// opens (<see cref="NodeDescriptors.MakeRoom"/>), so the cache never costs an open its place.
/// </para>
/// </summary>
internal sealed class DescriptorBudget
{
    private long _held;

    /// <param name="limit">The open-file limit.</param>
    /// <param name="inUse">Descriptors the process holds already, none of them ours.</param>
    public DescriptorBudget(long limit, int inUse)
    {
        Limit = limit;

        // A quarter of the limit: 5,000 idle descriptors for 20,000, enough to serve the files a burst of requests
        // works on from the cache (a lookup, then its stat or open), and far from the limit. At least 64, or the cache
        // is no use; at most 16,384, as under systemd's hard limit of 524,288: each idle descriptor keeps a file, a
        // dentry and an inode in the kernel's memory, which beyond that costs more than the reopens it saves.
        CacheCapacity = (int)Math.Clamp(limit / 4, 64, 16_384);

        // For the runtime's own later descriptors (log files, the config watcher, sockets) and the node descriptors
        // requests use at once: one or two per request being served, and at most 16 threads serve requests.
        Reserve = (int)Math.Min(256, limit / 4);
        Ceiling = Math.Max(0, limit - inUse - Reserve);
    }

    /// <summary>The process's open-file limit.</summary>
    public long Limit { get; }

    /// <summary>How many idle node descriptors the cache keeps at most.</summary>
    public int CacheCapacity { get; }

    /// <summary>Kept free for the runtime and for descriptors used within one call, which opens may not take.</summary>
    public int Reserve { get; }

    /// <summary>How many descriptors the passthrough may hold before an open is refused.</summary>
    public long Ceiling { get; }

    /// <summary>How many descriptors the passthrough holds now.</summary>
    public long Held => Volatile.Read(ref _held);

    /// <summary>The budget of this process: its limit now, less the descriptors it has open already.</summary>
    public static unsafe DescriptorBudget ForThisProcess()
    {
        RLimit limit;
        var current = GetRLimit(RLIMIT_NOFILE, &limit) == 0 ? (long)Math.Min(limit.Current, int.MaxValue) : 1024;
        return new DescriptorBudget(current, CountOpen());
    }

    /// <summary>Whether <paramref name="count"/> more descriptors fit under the ceiling.</summary>
    public bool Fits(int count) => Held + count <= Ceiling;

    /// <summary>Whether the passthrough holds more than the ceiling (requests in flight may take it there).</summary>
    public bool IsOver => Held > Ceiling;

    /// <summary>Counts descriptors opened (positive) or closed (negative).</summary>
    public void Count(int change) => Interlocked.Add(ref _held, change);

    /// <summary>Closes a descriptor the passthrough held.</summary>
    public void Close(int fd)
    {
        Interop.Sys.Close(fd);
        Count(-1);
    }

    private static int CountOpen()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (IOException)
        {
            return 64;
        }
    }
}
