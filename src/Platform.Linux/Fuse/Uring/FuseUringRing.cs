using System.Diagnostics;
using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Fuse.Uring;

/// <summary>
/// A ring serving entries of one CPU's FUSE queue, and the thread that owns it. The kernel hands a request to the
/// queue of the CPU its caller runs on, in whichever of the queue's entries is free; the thread answers it and waits
/// for the next in one system call. A CPU's queue is served by several such rings (two by default), so that one
/// caller's many asynchronous requests, which all land on its CPU's queue, are not served one at a time. Requests
/// that wait for their throttle keep their entry and hold no thread: whoever finishes one writes its reply into the
/// entry and wakes this thread (an eventfd read on the ring) to commit it. The kernel copies each new request in the
/// context of the thread that committed or registered the entry, which is why only this thread ever submits.
/// </summary>
internal sealed unsafe class FuseUringRing : IDisposable
{
    private const ulong WakeTag = ulong.MaxValue;

    private readonly int _deviceFd;
    private readonly ushort _qid;
    private readonly int _depth;
    private readonly int _maxWrite;
    private readonly ManualResetEventSlim _created = new();
    private readonly ManualResetEventSlim _go = new();
    private IoUring _ring = null!;
    private FuseUringEntry[] _entries = [];
    private int _eventFd = -1;
    private Errno _setupError;
    private readonly ulong* _eventValue;
    private readonly Thread _thread;
    private readonly SpinWindow _spin = new();
    private readonly Lock _readyLock = new();
    private List<FuseUringEntry> _ready;
    private List<FuseUringEntry> _committing;
    private FuseDispatcher? _dispatcher;
    private int _wakePending;
    private volatile bool _stopping;
    private int _threadId;

    private FuseUringRing(int deviceFd, ushort qid, int index, int depth, int maxWrite)
    {
        _deviceFd = deviceFd;
        _qid = qid;
        _depth = depth;
        _maxWrite = maxWrite;
        _eventValue = (ulong*)NativeMemory.AllocZeroed(sizeof(ulong));
        _ready = new List<FuseUringEntry>(depth);
        _committing = new List<FuseUringEntry>(depth);
        _thread = new Thread(Run) { IsBackground = true, Name = $"fuse-uring-{qid}.{index}" };
    }

    /// <summary>Why the ring stopped serving, when it was not the end of the mount; null while it runs or after a clean end.</summary>
    public string? Failure { get; private set; }

    /// <summary>
    /// Starts ring <paramref name="index"/> of CPU <paramref name="qid"/>'s queue with <paramref name="depth"/> entries:
    /// its thread sets up the ring and the entries, and waits for <see cref="Start"/>. Null, with why, if it cannot.
    /// </summary>
    public static FuseUringRing? Create(int deviceFd, ushort qid, int index, int depth, int maxWrite, out Errno error)
    {
        var ring = new FuseUringRing(deviceFd, qid, index, depth, maxWrite);
        ring._thread.Start();
        ring._created.Wait();
        error = ring._setupError;
        if (error == Errno.Success)
        {
            return ring;
        }

        ring._thread.Join();
        ring.Dispose();
        return null;
    }

    /// <summary>Registers the entries (INIT has been answered) and serves requests until the mount ends or <see cref="Stop"/>.</summary>
    public void Start(FuseDispatcher dispatcher)
    {
        _dispatcher = dispatcher;
        _go.Set();
    }

    /// <summary>
    /// Commits <paramref name="entry"/>'s reply: queued for the next enter on this ring's thread, or handed to it and
    /// the thread woken when another thread finished the request.
    /// </summary>
    public void Commit(FuseUringEntry entry)
    {
        if (Environment.CurrentManagedThreadId == _threadId)
        {
            entry.PrepareCommit(_ring.NextSqe(), _deviceFd, _qid);
            return;
        }

        lock (_readyLock)
        {
            _ready.Add(entry);
        }

        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            var one = 1UL;
            Write(_eventFd, (byte*)&one, sizeof(ulong));
        }
    }

    /// <summary>Ends the thread (the mount is gone: its entries are no use) and waits for it.</summary>
    public void Stop()
    {
        _stopping = true;
        _go.Set();
        var one = 1UL;
        Write(_eventFd, (byte*)&one, sizeof(ulong));
        if (_thread.IsAlive)
        {
            _thread.Join();
        }
    }

    public void Dispose()
    {
        // After the thread: no command can be filling an entry once the ring is closed and its task gone.
        _ring?.Dispose();
        if (_eventFd >= 0)
        {
            Close(_eventFd);
        }

        foreach (var entry in _entries)
        {
            if (entry.Workspace.Pending.IsCompleted)
            {
                entry.Dispose(); // one still waiting for its throttle keeps its buffer; the process ends soon after
            }
        }

        NativeMemory.Free(_eventValue);
        _created.Dispose();
        _go.Dispose();
    }

    private void Run()
    {
        _threadId = Environment.CurrentManagedThreadId;
        if (!SetUp())
        {
            return;
        }

        _go.Wait();
        if (_stopping)
        {
            return;
        }

        foreach (var entry in _entries)
        {
            entry.PrepareRegister(_ring.NextSqe(), _deviceFd, _qid);
        }

        ArmWake();
        var live = _entries.Length;
        while (live > 0 && !_stopping)
        {
            var error = WaitForCompletions();
            if (error != Errno.Success && error != Errno.EINTR && error != Errno.EBUSY)
            {
                Failure = $"io_uring_enter failed: {error}";
                break;
            }

            while (_ring.TryPeek(out var completion))
            {
                _ring.Consume();
                if (completion.UserData == WakeTag)
                {
                    CommitReady();
                    continue;
                }

                var entry = _entries[(int)completion.UserData];
                switch ((Errno)(-completion.Res))
                {
                    case Errno.Success:
                        entry.Receive(_dispatcher!);
                        break;
                    case Errno.EAGAIN:
                        entry.PrepareRegister(_ring.NextSqe(), _deviceFd, _qid); // not initialized yet: again
                        break;
                    case Errno.ENOTCONN or Errno.ECONNABORTED or Errno.ECANCELED:
                        live--; // the mount is ending
                        break;
                    default:
                        Failure ??= $"the kernel refused an entry: {(Errno)(-completion.Res)}";
                        live--;
                        break;
                }
            }
        }
    }

    /// <summary>
    /// Hands the kernel the filled entries and returns once there are completions: after polling for them for the spin
    /// window, if it is open, else (or then) asleep in the kernel.
    /// </summary>
    private Errno WaitForCompletions()
    {
        var start = Stopwatch.GetTimestamp();
        if (_spin.Ticks > 0)
        {
            var error = _ring.Unsubmitted > 0 ? _ring.Enter(wait: false) : Errno.Success;
            if (error != Errno.Success)
            {
                return error;
            }

            var end = start + _spin.Ticks;
            do
            {
                if (_ring.HasTaskWork)
                {
                    _ring.RunTaskWork();
                }

                if (_ring.HasCompletion)
                {
                    return Errno.Success;
                }

                Thread.SpinWait(1);
            }
            while (Stopwatch.GetTimestamp() < end);
        }

        var result = _ring.Enter(wait: true);
        _spin.Slept(Stopwatch.GetTimestamp() - start);
        return result;
    }

    private bool SetUp()
    {
        // Every entry has at most one command in flight, plus the eventfd read.
        var ring = IoUring.Create((uint)_depth + 1, out _setupError);
        if (ring is not null)
        {
            _eventFd = EventFd(0, EFD_CLOEXEC);
            if (_eventFd < 0)
            {
                _setupError = LastError;
                ring.Dispose();
                ring = null;
            }
        }

        if (ring is null)
        {
            _created.Set();
            return false;
        }

        _ring = ring;
        _entries = new FuseUringEntry[_depth];
        for (var i = 0; i < _depth; i++)
        {
            _entries[i] = new FuseUringEntry(this, i, _maxWrite);
        }

        _created.Set();
        return true;
    }

    private void CommitReady()
    {
        Volatile.Write(ref _wakePending, 0);
        lock (_readyLock)
        {
            (_ready, _committing) = (_committing, _ready);
        }

        foreach (var entry in _committing)
        {
            entry.PrepareCommit(_ring.NextSqe(), _deviceFd, _qid);
        }

        _committing.Clear();
        if (!_stopping)
        {
            ArmWake();
        }
    }

    private void ArmWake() => _ring.NextSqe()->PrepareRead(_eventFd, _eventValue, sizeof(ulong), WakeTag);
}
