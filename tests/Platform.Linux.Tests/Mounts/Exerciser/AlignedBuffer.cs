using System.Runtime.InteropServices;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>Native memory aligned for O_DIRECT (NativeMemory.AlignedAlloc), freed on Dispose.</summary>
internal sealed unsafe class AlignedBuffer : IDisposable
{
    public AlignedBuffer(int length, int alignment = ExerciserSettings.Alignment)
    {
        Length = length;
        Pointer = (byte*)NativeMemory.AlignedAlloc((nuint)length, (nuint)alignment);
        NativeMemory.Clear(Pointer, (nuint)length);
    }

    public byte* Pointer { get; private set; }

    public int Length { get; }

    public Span<byte> Slice(int offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)offset + length, Length);
        return new Span<byte>(Pointer + offset, length);
    }

    public void Dispose()
    {
        if (Pointer != null)
        {
            NativeMemory.AlignedFree(Pointer);
            Pointer = null;
        }
    }
}
