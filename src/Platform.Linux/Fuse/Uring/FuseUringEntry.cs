using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse.Kernel;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Fuse.Uring;

/*
 * What the kernel fills in an entry, and how it becomes the request the dispatcher knows from /dev/fuse:
 *
 *   header area (288 bytes)                    workspace buffer
 *   | in_out: fuse_in_header |                 0 ...                 DataOffset (page-aligned)
 *   | op_in: the opcode's struct |      --->   | ... | in_header | op struct | payload (names, WRITE data) ...
 *   | ring_ent_in_out: payload_sz, commit_id |                                ^ the kernel copies the payload here
 *
 * The payload buffer registered with the kernel starts at the workspace's DataOffset, so a WRITE's data lands
 * page-aligned for an O_DIRECT backing file, as on /dev/fuse; the header and op struct are copied just before it, which
 * makes the classic message again. A READ's reply data is read into the same spot and goes back without a copy.
 */

/// <summary>
/// One entry of an io_uring queue: the buffers the kernel copies a request into, and the channel its reply goes back
/// through (the reply is committed on the entry that took the request, which hands the entry back for the next one).
/// </summary>
internal sealed unsafe class FuseUringEntry : IFuseChannel, IDisposable
{
    private const int HeaderAreaSize = 4096; // the 288-byte header, given its own page
    private const int IovecsOffset = 512; // the two iovecs REGISTER points at, after the header
    private const int FuseUringOpInSize = 128; // FUSE_URING_OP_IN_OUT_SZ: the most an opcode's struct may take

    private readonly FuseUringRing _ring;
    private readonly FuseUringReqHeader* _header;
    private bool _answered;

    public FuseUringEntry(FuseUringRing ring, int index, int maxWrite)
    {
        _ring = ring;
        Index = index;
        Workspace = new FuseWorkspace(maxWrite) { Channel = this, OwnedByChannel = true };
        _header = (FuseUringReqHeader*)NativeMemory.AlignedAlloc(HeaderAreaSize, FuseBuffer.PageSize);
        NativeMemory.Clear(_header, HeaderAreaSize);

        // The kernel reads the iovecs during REGISTER only; it keeps the addresses they give.
        var iov = Iovecs;
        iov[0] = (nuint)_header;
        iov[1] = (nuint)sizeof(FuseUringReqHeader);
        iov[2] = (nuint)Payload;
        iov[3] = (nuint)PayloadCapacity;
    }

    public int Index { get; }

    public FuseWorkspace Workspace { get; }

    private byte* Payload => Workspace.Buffer.Pointer + FuseBuffer.DataOffset;

    // At least max_write (and 8 KiB): the kernel refuses a smaller payload buffer at REGISTER.
    private int PayloadCapacity => Workspace.Buffer.Length - FuseBuffer.DataOffset;

    private ref FuseUringEntInOut EntInOut => ref _header->RingEntInOut;

    private nuint* Iovecs => (nuint*)((byte*)_header + IovecsOffset);

    /// <summary>Fills <paramref name="sqe"/> with REGISTER: the kernel keeps this entry until it has a request for it.</summary>
    public void PrepareRegister(IoUringSqe* sqe, int deviceFd, ushort qid)
    {
        PrepareCommand(sqe, deviceFd, qid, FuseProtocol.UringCmdRegister, 0);
        sqe->Addr = (ulong)Iovecs;
        sqe->Len = 2; // exactly two: header and payload
    }

    /// <summary>Fills <paramref name="sqe"/> with COMMIT_AND_FETCH: the reply written into this entry, and the entry back.</summary>
    public void PrepareCommit(IoUringSqe* sqe, int deviceFd, ushort qid) =>
        PrepareCommand(sqe, deviceFd, qid, FuseProtocol.UringCmdCommitAndFetch, EntInOut.CommitId);

    /// <summary>
    /// Rebuilds the request the kernel put in this entry as /dev/fuse would have delivered it, and dispatches it.
    /// Runs on its ring's thread; a request that waits for its throttle keeps the entry until it is answered.
    /// </summary>
    public void Receive(FuseDispatcher dispatcher)
    {
        var header = *(FuseInHeader*)_header->InOut;
        var payloadLength = (long)EntInOut.PayloadSz;
        var opLength = header.Len - (long)FuseProtocol.InHeaderSize - payloadLength;
        _answered = false;
        if (opLength is < 0 or > FuseUringOpInSize || payloadLength > PayloadCapacity)
        {
            Answer(header.Unique, Errno.EIO); // not a request we can rebuild; the kernel named its sizes itself
            return;
        }

        var start = Payload - opLength - FuseProtocol.InHeaderSize;
        Buffer.MemoryCopy(_header->InOut, start, FuseProtocol.InHeaderSize, FuseProtocol.InHeaderSize);
        Buffer.MemoryCopy(_header->OpIn, start + FuseProtocol.InHeaderSize, opLength, opLength);
        if (!dispatcher.Dispatch(Workspace, start, (int)header.Len) && !_answered)
        {
            // Every request that reaches an entry must be committed, or the entry is lost to the queue: one the
            // dispatcher drops without a word (a no-reply opcode, which the kernel sends through /dev/fuse) still is.
            Answer(header.Unique, Errno.EIO);
        }
    }

    /// <summary>
    /// Puts the reply (header and payload) in this entry and commits it: at once on its ring's thread, or handed to it
    /// from the thread that finished a waiting request.
    /// </summary>
    public Errno Send(ReadOnlySpan<byte> reply)
    {
        fixed (byte* bytes = reply)
        {
            Buffer.MemoryCopy(bytes, _header->InOut, FuseProtocol.OutHeaderSize, FuseProtocol.OutHeaderSize);
            var payload = reply.Length - FuseProtocol.OutHeaderSize;
            if (payload > 0 && bytes + FuseProtocol.OutHeaderSize != Payload)
            {
                reply[FuseProtocol.OutHeaderSize..].CopyTo(new Span<byte>(Payload, PayloadCapacity)); // READ data is there already
            }

            EntInOut.PayloadSz = (uint)Math.Max(payload, 0);
        }

        _answered = true;
        _ring.Commit(this);
        return Errno.Success;
    }

    public void Dispose()
    {
        Workspace.Dispose();
        NativeMemory.AlignedFree(_header);
    }

    private void Answer(ulong unique, Errno error)
    {
        Span<byte> reply = stackalloc byte[FuseProtocol.OutHeaderSize];
        MemoryMarshal.Write(reply, new FuseOutHeader { Len = FuseProtocol.OutHeaderSize, Error = -(int)error, Unique = unique });
        Send(reply);
    }

    private void PrepareCommand(IoUringSqe* sqe, int deviceFd, ushort qid, uint command, ulong commitId)
    {
        sqe->Opcode = IORING_OP_URING_CMD;
        sqe->Fd = deviceFd;
        sqe->CmdOp = command;
        sqe->UserData = (ulong)Index;
        *(FuseUringCmdReq*)sqe->Command = new FuseUringCmdReq { CommitId = commitId, Qid = qid };
    }
}
