using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse.Kernel;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// A request as read from its channel: its header, the bytes after it, and the channel its reply must go back to.
/// Valid only during dispatch.
/// </summary>
internal readonly ref struct FuseRequest(in FuseInHeader header, ReadOnlySpan<byte> input, IFuseChannel channel)
{
    public FuseInHeader Header { get; } = header;

    public ReadOnlySpan<byte> Input { get; } = input;

    public FuseOpcode Opcode => (FuseOpcode)Header.Opcode;

    public ulong Unique => Header.Unique;

    public FuseReplyTo ReplyTo => new(Channel, Header.Unique);

    public IFuseChannel Channel { get; } = channel;

    public ulong Node => Header.NodeId;

    public RequestContext Context => new(Header.Uid, Header.Gid, Header.Pid);

    /// <summary>The fixed-size struct at the start of the input (the opcode table checked it is long enough).</summary>
    public T Read<T>()
        where T : unmanaged => MemoryMarshal.Read<T>(Input);

    /// <summary>The NUL-terminated name that starts at <paramref name="offset"/>, and where the next one starts.</summary>
    public bool TryName(int offset, out ReadOnlySpan<byte> name, out int next)
    {
        name = default;
        next = 0;
        if (offset > Input.Length)
        {
            return false;
        }

        var end = Input[offset..].IndexOf((byte)0);
        if (end < 0)
        {
            return false;
        }

        name = Input.Slice(offset, end);
        next = offset + end + 1;
        return true;
    }
}
