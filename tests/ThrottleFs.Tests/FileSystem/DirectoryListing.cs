using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Tests.FileSystem;

/// <summary>
/// An <see cref="IDirectoryWriter"/> standing in for a readdir reply buffer: it takes up to <see cref="Capacity"/>
/// entries, then refuses, and keeps what it took.
/// </summary>
internal sealed class DirectoryListing(bool wantsAttributes, int capacity = int.MaxValue) : IDirectoryWriter
{
    public bool WantsAttributes { get; } = wantsAttributes;

    public int Capacity { get; } = capacity;

    public List<ListedEntry> Entries { get; } = [];

    public IEnumerable<string> Names => Entries.Select(entry => entry.Name);

    public bool TryAdd(ReadOnlySpan<byte> name, ulong inode, uint type, long nextOffset, in EntryInfo entry)
    {
        if (Entries.Count == Capacity)
        {
            return false;
        }

        Entries.Add(new ListedEntry(Encoding.UTF8.GetString(name), inode, type, nextOffset, entry));
        return true;
    }

    /// <summary>
    /// Lists a whole directory as the kernel does: replies of <paramref name="capacity"/> entries, each read from the
    /// offset after the last entry of the one before, until a reply comes back empty.
    /// </summary>
    public static List<ListedEntry> ReadAll(IFileSystem fileSystem, ulong handle, bool plus, int capacity, long from = 0)
    {
        var entries = new List<ListedEntry>();
        for (var offset = from; ;)
        {
            var reply = new DirectoryListing(plus, capacity);
            Assert.Equal(Errno.Success, fileSystem.ReadDirectory(handle, offset, reply));
            if (reply.Entries.Count == 0)
            {
                return entries;
            }

            entries.AddRange(reply.Entries);
            offset = reply.Entries[^1].NextOffset;
        }
    }
}

/// <summary>One entry a <see cref="DirectoryListing"/> took.</summary>
internal sealed record ListedEntry(string Name, ulong Inode, uint Type, long NextOffset, EntryInfo Entry);
