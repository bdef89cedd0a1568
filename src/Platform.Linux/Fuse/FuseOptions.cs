using ThrottleFs.Hosting;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>How the FUSE session is set up.</summary>
internal sealed record FuseOptions
{
    /// <summary>The largest WRITE (and READ) the kernel may send: 1 MiB, 256 pages.</summary>
    public int MaxWrite { get; init; } = 1 << 20;

    /// <summary>
    /// Asynchronous requests the kernel may have in flight (its default, 12, would cap async direct I/O at queue
    /// depth 12).
    /// </summary>
    public ushort MaxBackground { get; init; } = 256;

    /// <summary>
    /// Every open is direct I/O, so every read and write reaches the throttle. Off: the kernel page cache may serve
    /// reads without asking us, and the limits then apply only to what misses the cache.
    /// </summary>
    public bool DirectIo { get; init; } = true;

    /// <summary>How long the kernel may cache names and attributes.</summary>
    public TimeSpan EntryTimeout { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan AttributeTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How requests travel: io_uring queues or /dev/fuse.</summary>
    public KernelTransport Transport { get; init; } = KernelTransport.Auto;

    /// <summary>
    /// Entries per io_uring queue: how many requests one CPU's queue holds at once, those waiting for their throttle
    /// included (more wait in the kernel). Each has a max_write buffer, touched only when used.
    /// </summary>
    public int UringQueueDepth { get; init; } = 64;

    /// <summary>Rings (each with its thread and an equal share of the entries) serving one CPU's io_uring queue.</summary>
    public int UringRingsPerQueue { get; init; } = 2;

    /// <summary>Log every request and reply to standard error.</summary>
    public bool Trace { get; init; }
}
