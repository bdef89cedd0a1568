using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse.Kernel;
using ThrottleFs.Platform.Linux.Splicing;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// Turns FUSE requests into calls on an <see cref="IFileSystem"/> and their results into replies: go-fuse's
/// protocol server. It owns no descriptor, so tests drive it with byte arrays. Handlers are a few lines each: they
/// decode a struct, call one method, encode the answer. A handler that throws fails only its own request (EIO).
/// </summary>
internal sealed partial class FuseDispatcher
{
    private static readonly FuseOperation?[] Operations = BuildOperationTable();

    private readonly IFileSystem _fileSystem;
    private readonly IFuseChannel _channel;
    private readonly FuseOptions _options;
    private readonly FuseWorkspacePool _pool;
    private readonly FuseTrace? _trace;
    private readonly Lock _inFlightLock = new();
    private readonly Dictionary<ulong, FuseWorkspace> _inFlight = [];
    private readonly ulong _entryValidSeconds;
    private readonly uint _entryValidNanoseconds;
    private readonly ulong _attrValidSeconds;
    private readonly uint _attrValidNanoseconds;
    private volatile bool _initialized;
    private SplicePipes? _splicePipes;

    public FuseDispatcher(IFileSystem fileSystem, IFuseChannel channel, FuseOptions options, FuseWorkspacePool pool, TextWriter? trace = null)
    {
        _fileSystem = fileSystem;
        _channel = channel;
        Devices = [channel];
        _options = options;
        _pool = pool;
        _trace = options.Trace ? new FuseTrace(trace) : null;
        (_entryValidSeconds, _entryValidNanoseconds) = Split(options.EntryTimeout);
        (_attrValidSeconds, _attrValidNanoseconds) = Split(options.AttributeTimeout);
    }

    /// <summary>Raised once INIT has been answered: the mount is usable.</summary>
    public event Action? Initialized;

    /// <summary>The protocol minor version agreed in INIT.</summary>
    public uint Minor { get; private set; }

    /// <summary>The INIT flags both sides agreed on.</summary>
    public ulong Flags { get; private set; }

    /// <summary>
    /// Asked during INIT when the kernel offers FUSE over io_uring: true claims it, promising that every CPU's queue
    /// will be registered once INIT is answered (the kernel holds every request back until they are).
    /// </summary>
    public Func<bool>? UringReady { get; set; }

    /// <summary>
    /// Pipes to splice READ replies through to the device, from the page cache of the backing file: set by the
    /// session that owns the device, used once INIT agrees on it.
    /// </summary>
    public SplicePipes? SplicePipes { get; set; }

    /// <summary>
    /// Every device requests are read from (the session's and its readers' clones): an interrupt's EAGAIN is taken only
    /// by the device that delivered the request it is for. The dispatcher's channel unless the session says more.
    /// </summary>
    public IReadOnlyList<IFuseChannel> Devices { get; set; }

    /// <summary>True once INIT agreed to splice READ replies (over /dev/fuse, when the kernel takes them).</summary>
    public bool SplicesReplies => _splicePipes is not null;

    /// <summary>Requests handed to the filesystem and not answered yet: those waiting for their throttle.</summary>
    public int InFlight
    {
        get
        {
            lock (_inFlightLock)
            {
                return _inFlight.Count;
            }
        }
    }

    /// <summary>
    /// Handles the request read into <paramref name="workspace"/> (<paramref name="length"/> bytes). Returns true
    /// when the request keeps the workspace because it completes later; the caller must then take another.
    /// </summary>
    public unsafe bool Dispatch(FuseWorkspace workspace, int length) => Dispatch(workspace, workspace.Buffer.Request, length);

    /// <summary>
    /// Handles the request at <paramref name="start"/> inside <paramref name="workspace"/>'s buffer: a transport that
    /// receives the header apart from the payload (io_uring) puts it just before the payload, wherever that lands.
    /// </summary>
    public unsafe bool Dispatch(FuseWorkspace workspace, byte* start, int length)
    {
        var bytes = new ReadOnlySpan<byte>(start, length);
        var channel = ChannelOf(workspace);
        if (length < FuseProtocol.InHeaderSize)
        {
            return false; // not even a header: nothing to answer
        }

        var header = MemoryMarshal.Read<FuseInHeader>(bytes);
        if (header.Len < FuseProtocol.InHeaderSize)
        {
            ReplyStatus(new FuseReplyTo(channel, header.Unique), Errno.EIO); // a header that disowns itself: answer, but read nothing from it
            return false;
        }

        var request = new FuseRequest(header, bytes[FuseProtocol.InHeaderSize..(int)Math.Min(header.Len, (uint)length)], channel);
        var operation = header.Opcode < (uint)Operations.Length ? Operations[header.Opcode] : null;
        if (operation is null)
        {
            _trace?.Request(request, $"OPCODE_{header.Opcode}", "");
            ReplyStatus(request.ReplyTo, Errno.ENOSYS); // the kernel remembers ENOSYS and stops asking
            return false;
        }

        if (request.Input.Length < operation.MinimumInput || header.Len != length)
        {
            _trace?.Request(request, operation.Name, $"short: {request.Input.Length} bytes in, {operation.MinimumInput} needed");
            if (!operation.NoReply)
            {
                ReplyStatus(request.ReplyTo, Errno.EIO);
            }

            return false;
        }

        _trace?.Request(request, operation.Name, Describe(request));

        if (!_initialized && request.Opcode != FuseOpcode.Init)
        {
            ReplyStatus(request.ReplyTo, Errno.EIO);
            return false;
        }

        try
        {
            return operation.Handler(this, workspace, request);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _trace?.Note($"{operation.Name} {request.Unique} failed: {e}");
            if (!operation.NoReply)
            {
                ReplyStatus(request.ReplyTo, Errno.EIO);
            }

            return false;
        }
    }

    private IFuseChannel ChannelOf(FuseWorkspace workspace) => workspace.Channel ?? _channel;

    /// <summary>An entry as the kernel wants it, with our cache timeouts.</summary>
    public FuseEntryOut EntryOut(in EntryInfo entry) => new()
    {
        NodeId = entry.Node,
        EntryValid = entry.Node == 0 ? 0 : _entryValidSeconds,
        EntryValidNsec = entry.Node == 0 ? 0 : _entryValidNanoseconds,
        AttrValid = _attrValidSeconds,
        AttrValidNsec = _attrValidNanoseconds,
        Attr = ToFuseAttr(entry.Attributes),
    };

    private static FuseAttr ToFuseAttr(in NodeAttributes a) => new()
    {
        Ino = a.Inode,
        Size = a.Size,
        Blocks = a.Blocks,
        Atime = (ulong)a.AccessSeconds,
        Mtime = (ulong)a.ModifySeconds,
        Ctime = (ulong)a.ChangeSeconds,
        AtimeNsec = a.AccessNanoseconds,
        MtimeNsec = a.ModifyNanoseconds,
        CtimeNsec = a.ChangeNanoseconds,
        Mode = a.Mode,
        Nlink = a.Links,
        Uid = a.Uid,
        Gid = a.Gid,
        Rdev = a.Rdev,
        BlkSize = a.BlockSize,
    };

    private static (ulong Seconds, uint Nanoseconds) Split(TimeSpan timeout) =>
        ((ulong)timeout.Ticks / TimeSpan.TicksPerSecond, (uint)(timeout.Ticks % TimeSpan.TicksPerSecond * 100));

    private static string Describe(in FuseRequest request) => request.Opcode switch
    {
        FuseOpcode.Read or FuseOpcode.Readdir or FuseOpcode.Readdirplus =>
            $"fh {request.Read<FuseReadIn>().Fh} offset {request.Read<FuseReadIn>().Offset} size {request.Read<FuseReadIn>().Size}",
        FuseOpcode.Write => $"fh {request.Read<FuseWriteIn>().Fh} offset {request.Read<FuseWriteIn>().Offset} size {request.Read<FuseWriteIn>().Size} write_flags {request.Read<FuseWriteIn>().WriteFlags:x}",
        FuseOpcode.Open => $"flags {request.Read<FuseOpenIn>().Flags:x} open_flags {request.Read<FuseOpenIn>().OpenFlags:x}",
        FuseOpcode.Setattr => $"valid {request.Read<FuseSetattrIn>().Valid:x}",
        FuseOpcode.Lookup or FuseOpcode.Unlink or FuseOpcode.Rmdir or FuseOpcode.Getxattr or FuseOpcode.Removexattr =>
            request.TryName(request.Opcode == FuseOpcode.Getxattr ? 8 : 0, out var name, out _) ? $"'{System.Text.Encoding.UTF8.GetString(name)}'" : "",
        _ => $"{request.Input.Length} bytes in",
    };
}
