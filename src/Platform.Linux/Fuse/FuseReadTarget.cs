using System.Buffers;
using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse.Kernel;
using ThrottleFs.Platform.Linux.Splicing;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// Where a READ's data goes: the workspace's buffer, at the page-aligned spot its reply is sent from, or, when the
/// reply goes to /dev/fuse and the filesystem reads through the page cache, a pipe that holds the reply's header and
/// then the data's pages by reference until the reply is spliced to the device (<see cref="ISpliceTarget"/>).
/// </summary>
internal sealed unsafe class FuseReadTarget(FuseBuffer buffer, int maxWrite) : MemoryManager<byte>, ISpliceTarget
{
    private SplicePipes? _pipes;
    private ulong _unique;
    private SplicePipe? _reply;

    /// <summary>The bytes of data the pipe holds behind the header, once a splice took them.</summary>
    public int SplicedBytes { get; private set; }

    /// <summary>True when the data went into a pipe: the reply must be sent with <see cref="SendSpliced"/>.</summary>
    public bool Spliced => _reply is not null;

    private byte* Data => buffer.Pointer + FuseBuffer.DataOffset;

    /// <summary>
    /// The destination for the READ <paramref name="unique"/> of <paramref name="length"/> bytes; its data may go into
    /// a pipe from <paramref name="pipes"/>, or only into the buffer when that is null.
    /// </summary>
    public Memory<byte> Arm(ulong unique, int length, SplicePipes? pipes)
    {
        Reset();
        _unique = unique;
        _pipes = pipes;
        return Memory[..length];
    }

    public bool TrySplice(int fd, long offset, int length, out IoResult result)
    {
        result = default;
        if (_pipes is not { } pipes || _reply is not null || !pipes.TryRent(offset, length, out var pipe))
        {
            return false;
        }

        // The header goes in first, for the whole length asked: a reply is spliced to the device as it lies in the pipe.
        var header = stackalloc byte[FuseProtocol.OutHeaderSize];
        var headerBytes = new Span<byte>(header, FuseProtocol.OutHeaderSize);
        MemoryMarshal.Write(headerBytes, new FuseOutHeader { Len = (uint)(FuseProtocol.OutHeaderSize + length), Unique = _unique });
        if (!pipe.TryWrite(headerBytes))
        {
            pipes.Discard(pipe);
            return false;
        }

        result = pipe.Fill(fd, offset, length);
        if (result.Bytes == length)
        {
            _reply = pipe;
            SplicedBytes = length;
            return true;
        }

        // Short (the file ends) or failed: the header's length is wrong, so what came is read out into the buffer and
        // the reply goes from there, copied as without a pipe. Nothing came: the filesystem reads as usual.
        if (!pipe.TryDrain(header, FuseProtocol.OutHeaderSize) ||
            !pipe.TryDrain(Data, (int)result.Bytes))
        {
            pipes.Discard(pipe);
            return false;
        }

        pipes.Return(pipe);
        return result.Bytes > 0;
    }

    /// <summary>Splices the reply to <paramref name="deviceFd"/> and takes the pipe back; ENOENT when the kernel no longer waits for it.</summary>
    public Errno SendSpliced(int deviceFd)
    {
        var pipe = _reply!;
        var pipes = _pipes!;
        _reply = null;
        var error = pipe.SpliceTo(deviceFd, FuseProtocol.OutHeaderSize + SplicedBytes);
        if (error == Errno.Success)
        {
            pipes.Return(pipe);
        }
        else
        {
            pipes.Discard(pipe); // what the device left in it is unknown
        }

        return error;
    }

    /// <summary>Drops a reply that will not be sent (the request failed after all).</summary>
    public void Reset()
    {
        if (_reply is { } pipe)
        {
            _reply = null;
            _pipes!.Discard(pipe);
        }

        SplicedBytes = 0;
    }

    public override Span<byte> GetSpan() => new(Data, maxWrite);

    public override MemoryHandle Pin(int elementIndex = 0) => new(Data + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing) => Reset();
}
