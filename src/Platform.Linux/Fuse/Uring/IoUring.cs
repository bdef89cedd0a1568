using System.Runtime.CompilerServices;
using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Fuse.Uring;

/// <summary>
/// A minimal io_uring with 128-byte submission entries (FUSE's commands need them), mapped from the kernel with raw
/// system calls. One thread owns it: it fills entries, enters the kernel and reaps completions, so nothing is locked.
/// </summary>
internal sealed unsafe class IoUring : IDisposable
{
    private const int SqeSize = 128;

    private readonly int _fd;
    private readonly byte* _rings;
    private readonly nuint _ringsLength;
    private readonly byte* _sqes;
    private readonly nuint _sqesLength;
    private readonly uint* _sqHead;
    private readonly uint* _sqTail;
    private readonly uint* _sqArray;
    private readonly uint _sqMask;
    private readonly uint _sqEntries;
    private readonly uint* _sqFlags;
    private readonly uint* _cqHead;
    private readonly uint* _cqTail;
    private readonly IoUringCqe* _cqes;
    private readonly uint _cqMask;
    private uint _tail; // entries filled, published to the kernel at the next Enter
    private uint _published;

    private IoUring(int fd, in IoUringParams p, byte* rings, nuint ringsLength, byte* sqes, nuint sqesLength)
    {
        _fd = fd;
        _rings = rings;
        _ringsLength = ringsLength;
        _sqes = sqes;
        _sqesLength = sqesLength;
        _sqHead = (uint*)(rings + p.SqOff.Head);
        _sqTail = (uint*)(rings + p.SqOff.Tail);
        _sqArray = (uint*)(rings + p.SqOff.Array);
        _sqMask = *(uint*)(rings + p.SqOff.RingMask);
        _sqEntries = p.SqEntries;
        _sqFlags = (uint*)(rings + p.SqOff.Flags);
        _cqHead = (uint*)(rings + p.CqOff.Head);
        _cqTail = (uint*)(rings + p.CqOff.Tail);
        _cqes = (IoUringCqe*)(rings + p.CqOff.Cqes);
        _cqMask = *(uint*)(rings + p.CqOff.RingMask);
        _tail = _published = *_sqTail;
    }

    /// <summary>Sets up a ring of at least <paramref name="entries"/> submission entries, or says why it cannot.</summary>
    public static IoUring? Create(uint entries, out Errno error)
    {
        // COOP_TASKRUN: the kernel finishes a completion (FUSE copies the request in) when the owner next enters, instead
        // of interrupting it with an inter-processor interrupt; TASKRUN_FLAG tells a polling owner that one is due.
        var p = new IoUringParams
        {
            Flags = IORING_SETUP_SQE128 | IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
            CqEntries = entries * 2,
        };
        var fd = (int)Syscall(SYS_io_uring_setup, entries, (long)&p, 0, 0, 0, 0);
        if (fd < 0)
        {
            error = LastError;
            return null;
        }

        // The kernel reports only where things are; both rings share one mapping on every kernel FUSE over io_uring
        // runs on (IORING_FEAT_SINGLE_MMAP is 5.4).
        var ringsLength = Math.Max(p.SqOff.Array + (p.SqEntries * 4), p.CqOff.Cqes + (p.CqEntries * (uint)sizeof(IoUringCqe)));
        var sqesLength = (nuint)(p.SqEntries * SqeSize);
        var rings = (p.Features & IORING_FEAT_SINGLE_MMAP) != 0
            ? (byte*)Mmap(null, ringsLength, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING)
            : (byte*)-1;
        if (rings == (byte*)-1)
        {
            error = (p.Features & IORING_FEAT_SINGLE_MMAP) != 0 ? LastError : Errno.ENOSYS;
            Close(fd);
            return null;
        }

        var sqes = (byte*)Mmap(null, sqesLength, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
        if (sqes == (byte*)-1)
        {
            error = LastError;
            Munmap(rings, ringsLength);
            Close(fd);
            return null;
        }

        error = Errno.Success;
        return new IoUring(fd, p, rings, ringsLength, sqes, sqesLength);
    }

    /// <summary>Entries filled and not yet handed to the kernel.</summary>
    public uint Unsubmitted => _tail - _published;

    /// <summary>A zeroed submission entry to fill, or null when the queue is full (the caller sized it so it never is).</summary>
    public IoUringSqe* NextSqe()
    {
        if (_tail - Volatile.Read(ref *_sqHead) >= _sqEntries)
        {
            return null;
        }

        var index = _tail & _sqMask;
        var sqe = _sqes + (index * SqeSize);
        Unsafe.InitBlockUnaligned(sqe, 0, SqeSize);
        _sqArray[index] = index;
        _tail++;
        return (IoUringSqe*)sqe;
    }

    /// <summary>
    /// Hands the filled entries to the kernel and, when <paramref name="wait"/>, waits for at least one completion. One
    /// system call does both: that is where this transport saves on /dev/fuse's read() and write().
    /// </summary>
    public Errno Enter(bool wait)
    {
        Volatile.Write(ref *_sqTail, _tail);
        var count = _tail - _published;
        var result = Syscall(SYS_io_uring_enter, _fd, count, wait ? 1 : 0, wait ? IORING_ENTER_GETEVENTS : 0, 0, 0);
        if (result < 0)
        {
            return LastError;
        }

        _published += (uint)result;
        return Errno.Success;
    }

    /// <summary>A completion is waiting to be consumed.</summary>
    public bool HasCompletion => *_cqHead != Volatile.Read(ref *_cqTail);

    /// <summary>The kernel has completions to finish in this thread's context (see <see cref="RunTaskWork"/>).</summary>
    public bool HasTaskWork => (Volatile.Read(ref *_sqFlags) & IORING_SQ_TASKRUN) != 0;

    /// <summary>Enters the kernel without waiting, only so that it finishes the completions due (no IPI told it to).</summary>
    public Errno RunTaskWork() =>
        Syscall(SYS_io_uring_enter, _fd, 0, 0, IORING_ENTER_GETEVENTS, 0, 0) < 0 ? LastError : Errno.Success;

    /// <summary>The oldest completion not yet consumed, if any.</summary>
    public bool TryPeek(out IoUringCqe completion)
    {
        var head = *_cqHead;
        if (head == Volatile.Read(ref *_cqTail))
        {
            completion = default;
            return false;
        }

        completion = _cqes[head & _cqMask];
        return true;
    }

    /// <summary>Releases the completion <see cref="TryPeek"/> returned, so the kernel may reuse its slot.</summary>
    public void Consume() => Volatile.Write(ref *_cqHead, *_cqHead + 1);

    public void Dispose()
    {
        Munmap(_sqes, _sqesLength);
        Munmap(_rings, _ringsLength);
        Close(_fd);
    }
}
