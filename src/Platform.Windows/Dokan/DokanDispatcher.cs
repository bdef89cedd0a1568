using System.Runtime.InteropServices;
using System.Text.Unicode;
using Serilog;
using ThrottleFs.FileSystem;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>
/// Turns dokan2's callbacks, which name files by path and keep what they open in a per-open Context, into calls on
/// the core's <see cref="IFileSystem"/>, which names nodes by id and counts lookups: the same throttle and control
/// layers the FUSE host serves. A path is looked up one component at a time from the root and every lookup is given
/// back once the call is done, except the one an open keeps for its node (<see cref="DokanOpen"/>). Each part of the
/// class answers one group of callbacks: opening and closing (<c>.Create</c>), data (<c>.Data</c>), attributes
/// (<c>.Attributes</c>), names and listings (<c>.Names</c>), and the volume (<c>.Volume</c>).
/// <see cref="DokanCallbacks"/> is what dokan2 calls; it finds this object and keeps every exception in.
/// </summary>
internal sealed unsafe partial class DokanDispatcher
{
    // 255 UTF-16 code units make at most 765 UTF-8 bytes; more is not a name the backing store can hold.
    private const int MaxNameBytes = 1024;

    private readonly IFileSystem _fs;
    private readonly IRequestors _requestors;
    private readonly RequestWait _wait;
    private readonly DokanVolume _volume;
    private readonly HandlePool _ids = new();
    private readonly HandleMap<DokanOpen> _opens = new();

    /// <summary>Serves <paramref name="fileSystem"/> (the top of a mount stack).</summary>
    /// <param name="fileSystem">What the callbacks reach.</param>
    /// <param name="requestors">Who a request comes from.</param>
    /// <param name="wait">How reads and writes wait for their throttle.</param>
    /// <param name="volume">How the volume presents itself.</param>
    /// <param name="log">Where failures of the callbacks go, and the trace.</param>
    public DokanDispatcher(IFileSystem fileSystem, IRequestors requestors, RequestWait wait, DokanVolume volume, ILogger log)
    {
        _fs = fileSystem;
        _requestors = requestors;
        _wait = wait;
        _volume = volume;
        Log = log;
    }

    public ILogger Log { get; }

    /// <summary>Log every callback and its status (<c>--trace</c>).</summary>
    public bool Trace { get; init; }

    /// <summary>Where Windows mounted the volume, once it says (the mount manager may have chosen another name).</summary>
    public string? MountPoint { get; private set; }

    /// <summary>Raised from the Mounted callback, when the volume is ready.</summary>
    public event Action<string>? Mounted;

    /// <summary>Raised from the Unmounted callback.</summary>
    public event Action? Unmounted;

    /// <summary>How many opens are live: ZwCreateFile without its CloseFile yet.</summary>
    public int OpenCount => _opens.Snapshot().Count;

    /// <summary>Closes every open left (the volume is gone and no CloseFile will come), giving back handles and lookups.</summary>
    public void CloseAll()
    {
        foreach (var open in _opens.Snapshot())
        {
            if (_opens.Remove(open.Id) is not null)
            {
                _ids.Return(open.Id);
                Close(open);
            }
        }
    }

    private DokanOpen? Find(DokanFileInfo* info) => _opens.Get(info->Context);

    private static ReadOnlySpan<char> PathOf(char* fileName) =>
        fileName is null ? "\\" : MemoryMarshal.CreateReadOnlySpanFromNullTerminated(fileName);

    /// <summary>
    /// Looks up every directory of <paramref name="path"/> from the root and encodes its last component into
    /// <paramref name="name"/>: <paramref name="parent"/> holds one lookup (give it back with <see cref="Let"/>) and
    /// <paramref name="nameLength"/> is 0 for the root itself. ENOENT or ENOTDIR means a directory on the way is
    /// missing; EINVAL a name no file can have here.
    /// </summary>
    private Errno WalkToParent(ReadOnlySpan<char> path, Span<byte> name, out ulong parent, out int nameLength)
    {
        parent = FileSystemIds.Root;
        nameLength = 0;
        var rest = path.TrimStart('\\');
        while (!rest.IsEmpty)
        {
            var cut = rest.IndexOf('\\');
            var component = cut < 0 ? rest : rest[..cut];
            rest = cut < 0 ? [] : rest[(cut + 1)..].TrimStart('\\');
            var error = Encode(component, name, out nameLength);
            if (error != Errno.Success || rest.IsEmpty)
            {
                if (error != Errno.Success)
                {
                    Let(parent);
                }

                return error;
            }

            error = _fs.Lookup(parent, name[..nameLength], out var entry);
            Let(parent);
            if (error != Errno.Success)
            {
                return error;
            }

            parent = entry.Node;
            if (!entry.Attributes.IsDirectory)
            {
                Let(parent);
                return Errno.ENOTDIR;
            }
        }

        return Errno.Success;
    }

    /// <summary>The node <paramref name="path"/> names, holding one lookup (none for the root).</summary>
    private Errno Resolve(ReadOnlySpan<char> path, out ulong node, out NodeAttributes attributes)
    {
        Span<byte> name = stackalloc byte[MaxNameBytes];
        attributes = default;
        var error = WalkToParent(path, name, out var parent, out var length);
        if (error != Errno.Success)
        {
            node = 0;
            return error;
        }

        if (length == 0)
        {
            node = FileSystemIds.Root;
            return _fs.GetAttributes(node, null, out attributes);
        }

        error = _fs.Lookup(parent, name[..length], out var entry);
        Let(parent);
        (node, attributes) = (entry.Node, entry.Attributes);
        return error;
    }

    /// <summary>Gives back the lookup a walk or open holds on <paramref name="node"/>.</summary>
    private void Let(ulong node)
    {
        if (node != FileSystemIds.Root && node != 0)
        {
            _fs.Forget(node, 1);
        }
    }

    // A component as the core takes it: UTF-8, refused when Windows sent what no UTF-8 name can be (an unpaired
    // surrogate) rather than turned into U+FFFD, which would make different names one. A stream name
    // ("file:stream") is refused too: the volume does not offer alternate streams, but "file::$DATA" is the file.
    private static Errno Encode(ReadOnlySpan<char> component, Span<byte> name, out int length)
    {
        length = 0;
        if (component.EndsWith("::$DATA", StringComparison.OrdinalIgnoreCase))
        {
            component = component[..^"::$DATA".Length];
        }

        if (component.IsEmpty || component.Contains(':'))
        {
            return Errno.EINVAL;
        }

        return Utf8.FromUtf16(component, name, out _, out length, replaceInvalidSequences: false) switch
        {
            System.Buffers.OperationStatus.Done => Errno.Success,
            System.Buffers.OperationStatus.DestinationTooSmall => Errno.ENAMETOOLONG,
            _ => Errno.EINVAL,
        };
    }
}
