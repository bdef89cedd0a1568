using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Tests.Shared.Passthrough;

/// <summary>
/// An <see cref="IDirectoryWriter"/> that keeps every entry it is given, and holds at most <paramref name="capacity"/>
/// entries per reply (a full FUSE buffer), so tests can read a listing in several replies.
/// </summary>
public sealed class RecordingDirectoryWriter(bool wantsAttributes, int capacity = int.MaxValue) : IDirectoryWriter
{
    private int _inReply;

    public bool WantsAttributes { get; } = wantsAttributes;

    /// <summary>Every entry added, in order, over all replies.</summary>
    public List<ListedEntry> Entries { get; } = [];

    /// <summary>Entries added to the current reply.</summary>
    public int InReply => _inReply;

    /// <summary>Where the next reply starts: the last entry's next offset.</summary>
    public long NextOffset { get; private set; }

    /// <summary>Starts a new, empty reply.</summary>
    public void NextReply() => _inReply = 0;

    public bool TryAdd(ReadOnlySpan<byte> name, ulong inode, uint type, long nextOffset, in EntryInfo entry)
    {
        if (_inReply >= capacity)
        {
            return false;
        }

        _inReply++;
        NextOffset = nextOffset;
        Entries.Add(new ListedEntry(Encoding.UTF8.GetString(name), name.ToArray(), inode, type, nextOffset, entry));
        return true;
    }

    /// <summary>One entry as the filesystem gave it.</summary>
    public sealed record ListedEntry(string Name, byte[] NameBytes, ulong Inode, uint Type, long NextOffset, EntryInfo Entry)
    {
        public bool IsDot => Name is "." or "..";
    }
}
