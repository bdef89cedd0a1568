using Serilog;
using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// The mounts backing nodes live on (the source's, and any mounted inside it), each with a descriptor to open file
/// handles through, and whether handles work there at all. open_by_handle_at needs a descriptor on the handle's
/// filesystem that is not O_PATH, so each mount keeps one open: a directory's, opened O_RDONLY when the mount's first
/// directory is met (a lookup reaches a mount through its root). Handles are used only where one was seen to reopen:
/// where they do not (a daemon without CAP_DAC_READ_SEARCH, that is not root; a filesystem without handles, such as
/// /proc; FUSE, whose handles may stop opening), nodes keep their descriptor open as before handles, and the log says
/// so, once each.
/// </summary>
internal sealed unsafe class BackingMounts(DescriptorBudget budget) : IDisposable
{
    private const long FuseSuperMagic = 0x65735546;

    private readonly Lock _lock = new();
    private readonly Dictionary<int, int> _fds = [];     // mount id → descriptor to open handles through; -1: handles fail there
    private readonly HashSet<string> _said = [];
    private readonly List<Action<ILogger>> _unsaid = [];
    private ILogger? _log;
    private volatile bool _refused;

    /// <summary>Whether handles cannot be opened at all: the daemon lacks the privilege.</summary>
    public bool Refused => _refused;

    /// <summary>Where notes about handles go; those made before it is set are logged then.</summary>
    public ILogger? Log
    {
        set
        {
            lock (_lock)
            {
                _log = value;
                foreach (var say in _unsaid)
                {
                    say(value!);
                }

                _unsaid.Clear();
            }
        }
    }

    /// <summary>
    /// The handle of the inode <paramref name="fd"/> (O_PATH) names and a descriptor of its mount to reopen it through,
    /// or null when the node must keep its descriptor: handles do not work on its filesystem, or it is a file on a
    /// mount whose directories have not been met.
    /// </summary>
    public byte[]? HandleOf(int fd, bool isDirectory, out int mountFd)
    {
        mountFd = -1;
        if (_refused)
        {
            return null;
        }

        var handle = FileHandle.Encode(fd, out var mountId, out var error);
        if (handle is null)
        {
            if (FirstTime(error.ToString()))
            {
                var path = ProcLink(fd);
                Say(log => log.Warning("The backing filesystem at {Path} gives no file handles ({Error}): its files and directories keep a descriptor open each while the kernel knows them, which the open-file limit bounds", path, error));
            }

            return null;
        }

        lock (_lock)
        {
            if (_fds.TryGetValue(mountId, out mountFd))
            {
                return mountFd >= 0 ? handle : null;
            }
        }

        if (!isDirectory)
        {
            return null;
        }

        mountFd = OpenMount(fd, handle);
        lock (_lock)
        {
            if (_fds.TryGetValue(mountId, out var known))
            {
                if (mountFd >= 0)
                {
                    budget.Close(mountFd); // met by another request meanwhile
                }

                mountFd = known;
            }
            else
            {
                _fds.Add(mountId, mountFd);
            }
        }

        return mountFd >= 0 ? handle : null;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var fd in _fds.Values.Where(fd => fd >= 0))
            {
                budget.Close(fd);
            }

            _fds.Clear();
        }
    }

    // A descriptor of the directory fd names, to open handles of its mount through, once the directory's own handle
    // has been seen to open through it; -1 when it does not.
    private int OpenMount(int fd, byte[] handle)
    {
        Span<byte> proc = stackalloc byte[ProcPath.MaxLength];
        ProcPath.Format(fd, proc);
        int mountFd;
        fixed (byte* p = proc)
        {
            mountFd = Open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        }

        if (mountFd < 0)
        {
            return -1;
        }

        budget.Count(1);
        StatFsBuffer volume;
        if (FStatFs(mountFd, &volume) == 0 && volume.Type == FuseSuperMagic)
        {
            // FUSE decodes a handle only while the kernel still caches its inode, unless the filesystem declared
            // export support, which cannot be asked: a handle that opens today may be ESTALE tomorrow for a file
            // that exists, so a FUSE backing store keeps descriptors.
            budget.Close(mountFd);
            if (FirstTime("FUSE"))
            {
                var path = ProcLink(fd);
                Say(log => log.Warning("The backing filesystem at {Path} is a FUSE filesystem, whose file handles may not open again: its files and directories keep a descriptor open each while the kernel knows them, which the open-file limit bounds", path));
            }

            return -1;
        }

        var reopened = FileHandle.Open(mountFd, handle);
        if (reopened >= 0)
        {
            Close(reopened);
            return mountFd;
        }

        var error = LastError;
        budget.Close(mountFd);
        if (error == Errno.EPERM)
        {
            _refused = true;
            if (FirstTime("EPERM"))
            {
                Say(log => log.Information("File handles cannot be opened (open_by_handle_at needs CAP_DAC_READ_SEARCH, which root has): every file and directory the kernel knows keeps a descriptor open, which the open-file limit bounds"));
            }
        }
        else if (FirstTime(error.ToString()))
        {
            var path = ProcLink(fd);
            Say(log => log.Warning("File handles do not open on the backing filesystem at {Path} ({Error}): its files and directories keep a descriptor open each while the kernel knows them, which the open-file limit bounds", path, error));
        }

        return -1;
    }

    // Whether the note under this key is still to be made: each is logged once.
    private bool FirstTime(string key)
    {
        lock (_lock)
        {
            return _said.Add(key);
        }
    }

    private void Say(Action<ILogger> say)
    {
        lock (_lock)
        {
            if (_log is null)
            {
                _unsaid.Add(say);
            }
            else
            {
                say(_log);
            }
        }
    }

    // Where the descriptor leads, for a message.
    private static string ProcLink(int fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? "?";
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
