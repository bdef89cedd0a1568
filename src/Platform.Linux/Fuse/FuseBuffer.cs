using System.Buffers;
using System.Runtime.InteropServices;

namespace ThrottleFs.Platform.Linux.Fuse;

/*
 * One request's memory, laid out so nothing has to be copied for the backing store's O_DIRECT:
 *
 *   0            4016          4056      4080  4096                                     ...
 *   | (unused)    | in_header   | write_in | out  | WRITE payload / READ data (page-aligned)
 *                 ^ read() here            ^ READ reply header, right before its data
 *
 * A WRITE's data lands exactly on a page boundary, so it can go to an O_DIRECT backing descriptor as it is; a READ's
 * data is read into the same aligned spot and sent with the header just before it in one write(). Small replies
 * that carry data (readdir, xattrs, readlink) are built at ReplyOffset, past any request they answer.
 */

/// <summary>A page-aligned native buffer for one request and its reply.</summary>
internal sealed unsafe class FuseBuffer : MemoryManager<byte>
{
    public const int PageSize = 4096;
    public const int RequestOffset = PageSize - FuseProtocol.InHeaderSize - 40; // 40 = sizeof(fuse_write_in)
    public const int DataOffset = PageSize;
    public const int ReplyOffset = 2 * PageSize;

    private readonly byte* _memory;
    private readonly int _length;

    public FuseBuffer(int maxWrite)
    {
        _length = DataOffset + maxWrite + (2 * PageSize);
        _memory = (byte*)NativeMemory.AlignedAlloc((nuint)_length, PageSize);
    }

    /// <summary>Where the request starts.</summary>
    public byte* Request => _memory + RequestOffset;

    /// <summary>How much read() may fill from <see cref="Request"/>: at least max_write plus headers, as the kernel demands.</summary>
    public int RequestCapacity => _length - RequestOffset;

    public byte* Pointer => _memory;

    public int Length => _length;

    public Span<byte> Bytes => new(_memory, _length);

    public override Span<byte> GetSpan() => Bytes;

    public override MemoryHandle Pin(int elementIndex = 0) => new(_memory + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing) => NativeMemory.AlignedFree(_memory);
}
