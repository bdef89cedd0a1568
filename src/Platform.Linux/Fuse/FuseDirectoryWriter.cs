using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse.Kernel;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>Packs directory entries into a READDIR (fuse_dirent) or READDIRPLUS (fuse_direntplus) reply.</summary>
internal sealed class FuseDirectoryWriter(FuseDispatcher dispatcher) : IDirectoryWriter
{
    private Memory<byte> _target;

    public bool WantsAttributes { get; private set; }

    public int Length { get; private set; }

    public void Start(Memory<byte> target, bool plus)
    {
        _target = target;
        WantsAttributes = plus;
        Length = 0;
    }

    public bool TryAdd(ReadOnlySpan<byte> name, ulong inode, uint type, long nextOffset, in EntryInfo entry)
    {
        var header = WantsAttributes ? Marshal.SizeOf<FuseDirentplus>() : Marshal.SizeOf<FuseDirent>();
        var size = (header + name.Length + 7) & ~7; // entries are padded to 8 bytes
        var span = _target.Span[Length..];
        if (size > span.Length)
        {
            return false;
        }

        var dirent = new FuseDirent { Ino = inode, Off = (ulong)nextOffset, NameLen = (uint)name.Length, Type = type };
        if (WantsAttributes)
        {
            var plus = new FuseDirentplus { EntryOut = dispatcher.EntryOut(entry), Dirent = dirent };
            MemoryMarshal.Write(span, in plus);
        }
        else
        {
            MemoryMarshal.Write(span, in dirent);
        }

        name.CopyTo(span[header..]);
        span[(header + name.Length)..size].Clear();
        Length += size;
        return true;
    }
}
