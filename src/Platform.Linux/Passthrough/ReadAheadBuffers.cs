using System.Runtime.InteropServices;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// The buffers read-aheads read into, 16 MiB for the whole mount: they are lent only while a stretch is being read or
/// waits for its request, so a few serve many sequential readers, and memory stays bounded however many files are
/// open. Page-aligned, as O_DIRECT reads need; allocated on first use, freed with the filesystem.
/// </summary>
internal sealed unsafe class ReadAheadBuffers : IDisposable
{
    /// <summary>The largest read ahead: one FUSE request's worth (the mount's max_write).</summary>
    public const int Size = 1 << 20;

    private readonly IntPtr[] _free;
    private readonly Lock _lock = new();
    private int _count;
    private int _allocated;

    public ReadAheadBuffers(int capacity, TimeProvider? clock = null)
    {
        _free = new IntPtr[capacity];
        Clock = clock ?? TimeProvider.System;
    }

    /// <summary>What read-aheads tell the age of their stretches and the gaps between requests by; tests' is virtual.</summary>
    public TimeProvider Clock { get; }

    /// <summary>Buffers lent and not yet given back.</summary>
    public int Lent
    {
        get
        {
            lock (_lock)
            {
                return _allocated - _count;
            }
        }
    }

    /// <summary>A buffer of <see cref="Size"/> bytes, or null when all are lent.</summary>
    public IntPtr? Rent()
    {
        lock (_lock)
        {
            if (_count > 0)
            {
                return _free[--_count];
            }

            if (_allocated == _free.Length)
            {
                return null;
            }

            _allocated++;
        }

        return (IntPtr)NativeMemory.AlignedAlloc(Size, 4096);
    }

    public void Return(IntPtr buffer)
    {
        lock (_lock)
        {
            _free[_count++] = buffer;
        }
    }

    /// <summary>Frees the buffers given back; one still lent (a read ahead of a file never closed) goes with the process.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            while (_count > 0)
            {
                NativeMemory.AlignedFree((void*)_free[--_count]);
            }
        }
    }
}
