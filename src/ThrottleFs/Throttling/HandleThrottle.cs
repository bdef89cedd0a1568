using ThrottleFs.Configuration;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;

namespace ThrottleFs.Throttling;

/// <summary>
/// One open handle's way through the layers: the own buckets and group that its file has for the handle's opener
/// (a caller rule or a per-caller group may give two openers of one file different ones), then the mount. Handles of
/// one file with the same way share its chain. The data path reads the chain without a lock; the policy swaps it
/// when the limits change.
/// </summary>
internal sealed class HandleThrottle
{
    private volatile ThrottleChain _chain = ThrottleChain.Empty;

    private readonly RequestContext _caller;
    private readonly bool _hasCaller;

    internal HandleThrottle(FileThrottle file, RequestContext? caller)
    {
        File = file;
        (_caller, _hasCaller) = caller is { } known ? (known, true) : (default, false);
    }

    /// <summary>The file the handle is open on: its meter, its statistics.</summary>
    public FileThrottle File { get; }

    /// <summary>Who opened the handle, or null when nobody said (then no caller rule matches it).</summary>
    public RequestContext? Caller => _hasCaller ? _caller : null;

    /// <summary>The path the file was opened by.</summary>
    public string Path => File.Path;

    /// <summary>The layers a request through this handle passes now.</summary>
    public ThrottleChain Chain => _chain;

    /// <summary>
    /// Admits a request at once when every layer lets it through, counted with two interlocked adds and no
    /// allocation. Otherwise the request is counted as waiting and <paramref name="pending"/> is what to await.
    /// </summary>
    public bool TryAdmitNow(ThrottleDirection direction, long bytes, CancellationToken cancellationToken, out PendingAdmission pending)
    {
        var admission = _chain.AdmitAsync(direction, bytes, cancellationToken);
        if (admission.IsCompletedSuccessfully)
        {
            admission.GetAwaiter().GetResult();
            File.Meter.RecordImmediate(direction, bytes);
            pending = default;
            return true;
        }

        File.Meter.RecordQueued(direction);
        pending = new PendingAdmission(admission, File, direction, bytes, File.Policy.Time.GetTimestamp());
        return false;
    }

    /// <summary>Admits a request, waiting when a layer says so: <see cref="Errno.Success"/>, or why it was not admitted.</summary>
    public ValueTask<Errno> AdmitAsync(ThrottleDirection direction, long bytes, CancellationToken cancellationToken) =>
        TryAdmitNow(direction, bytes, cancellationToken, out var pending) ? new(Errno.Success) : pending.WaitAsync();

    // The rest is guarded by the policy's lock.

    /// <summary>The opener's program, once asked for: only rules that name programs need it.</summary>
    internal string? Process { get; set; }

    /// <summary>Whether <see cref="Process"/> was asked for.</summary>
    internal bool ProcessKnown { get; set; }

    /// <summary>The opener as rules see it.</summary>
    internal Opener Opener => Caller is { } caller ? new Opener(caller.Uid, caller.Gid, Process) : Opener.Unknown;

    /// <summary>The file's place in the group (instance) the handle passes, or null.</summary>
    internal GroupSeat? Seat { get; set; }

    /// <summary>The next of the file's open handles.</summary>
    internal HandleThrottle? Next;

    /// <summary>Puts the handle on a new way; requests already in the old one finish there.</summary>
    internal void Route(ThrottleChain chain) => _chain = chain;
}
