using System.Buffers;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>
/// Dokan's buffer for one read or write, as the <see cref="Memory{T}"/> the core takes, without copying it. One per
/// Dokan thread, pointed at each request's buffer in turn: a callback returns only once the core has finished with
/// the buffer (<see cref="RequestWait"/>), so nothing can still hold the previous request's.
/// </summary>
internal sealed unsafe class NativeBuffer : MemoryManager<byte>
{
    [ThreadStatic]
    private static NativeBuffer? t_current;

    private byte* _pointer;
    private int _length;

    /// <summary>This thread's buffer, pointed at <paramref name="pointer"/> for <paramref name="length"/> bytes.</summary>
    public static Memory<byte> For(void* pointer, int length)
    {
        var buffer = t_current ??= new NativeBuffer();
        buffer._pointer = (byte*)pointer;
        buffer._length = length;
        return buffer.Memory;
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex); // native: never moves

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
