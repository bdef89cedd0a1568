using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// What a reader thread needs to take in and answer one request: the buffer and a cancellation source for
/// INTERRUPT. A request handled inline leaves both with the reader for the next one; a request that has to wait
/// (for its throttle) keeps the workspace, and the reader takes a fresh one from the pool. So the data path neither
/// copies a request's payload nor allocates a token per request.
/// </summary>
internal sealed class FuseWorkspace : IDisposable
{
    public FuseWorkspace(int maxWrite)
    {
        Buffer = new FuseBuffer(maxWrite);
        ReadTarget = new FuseReadTarget(Buffer, maxWrite);
    }

    public FuseBuffer Buffer { get; }

    /// <summary>Where a READ's data goes: into <see cref="Buffer"/>, or by reference into a pipe.</summary>
    public FuseReadTarget ReadTarget { get; }

    public CancellationTokenSource Cancellation { get; private set; } = new();

    /// <summary>
    /// Where the request read into this workspace came from, and so where its replies go; null for the dispatcher's own
    /// channel. An io_uring entry owns its workspace and is its channel; a /dev/fuse reader sets the device it read from.
    /// </summary>
    public IFuseChannel? Channel { get; set; }

    /// <summary>The workspace belongs to its channel (an io_uring entry) rather than to the pool.</summary>
    public bool OwnedByChannel { get; init; }

    /// <summary>The unique id of the request holding this workspace while it waits.</summary>
    public ulong Unique { get; set; }

    /// <summary>What the waiting request is (READ, WRITE or COPY_FILE_RANGE) and the I/O it waits for.</summary>
    public FuseOpcode Opcode { get; set; }

    public ValueTask<IoResult> Pending { get; set; }

    /// <summary>Called when <see cref="Pending"/> completes; made once per workspace, so waiting allocates nothing.</summary>
    public Action? Continuation { get; set; }

    /// <summary>Gets the workspace ready for another request; a cancelled source cannot be reused.</summary>
    public void Reset()
    {
        if (!Cancellation.TryReset())
        {
            Cancellation.Dispose();
            Cancellation = new CancellationTokenSource();
        }

        Unique = 0;
        Pending = default;
        ReadTarget.Reset();
    }

    public void Dispose()
    {
        Cancellation.Dispose();
        ((IDisposable)ReadTarget).Dispose();
        ((IDisposable)Buffer).Dispose();
    }
}
