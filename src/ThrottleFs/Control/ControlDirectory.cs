using System.Text;
using ThrottleFs.Configuration;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Control;

/// <summary>
/// The control directory's own nodes: the directory and its files, numbered from the start of the layers' range
/// (<see cref="FileSystemIds.FirstLayerNode"/>), with made-up attributes. A file's size is that of its content now, so
/// tools that trust the size (cmp, cp) read all of it; what an open reads is rendered at the open, and may have grown
/// since. Only <c>control</c> takes writes, from the mount's owner.
/// </summary>
internal sealed class ControlDirectory
{
    /// <summary>The directory's node id.</summary>
    public const ulong Node = FileSystemIds.FirstLayerNode;

    // Owner / everyone (control-readers): rw------- / rw-r--r--, r-------- / r--r--r--, r-x------ / r-xr-xr-x.
    private const uint OwnerReadWrite = 0x180;
    private const uint OwnerRead = 0x100;
    private const uint OwnerReadAndSearch = 0x140;
    private const uint AllRead = 0x124;
    private const uint AllReadAndSearch = 0x16D;

    private static readonly byte[][] FileNames = [.. ControlFiles.All.Select(file => Encoding.UTF8.GetBytes(file.Name()))];

    private readonly ControlPanel _panel;
    private readonly byte[] _name;
    private readonly uint _uid;
    private readonly uint _gid;
    private readonly long _created;

    /// <param name="panel">What the files hold; its owner owns them.</param>
    /// <param name="name">The directory's name at the mount root.</param>
    /// <param name="ownerGid">The group the files belong to.</param>
    public ControlDirectory(ControlPanel panel, string name, uint ownerGid)
    {
        _panel = panel;
        _name = Encoding.UTF8.GetBytes(name);
        (_uid, _gid) = (panel.OwnerUid, ownerGid);
        _created = panel.Policy.Time.GetUtcNow().ToUnixTimeSeconds();
    }

    /// <summary>The directory's entry at the mount root.</summary>
    public EntryInfo Entry => new(Node, Attributes(Node));

    /// <summary>Whether <paramref name="node"/> is the directory or one of its files.</summary>
    public static bool Contains(ulong node) => node >= Node && node <= FileNode(FileNames.Length - 1);

    /// <summary>The control file a file node stands for.</summary>
    public static ControlFile FileOf(ulong node) => ControlFiles.All[(int)(node - Node - 1)];

    /// <summary>Whether <paramref name="name"/> is the directory's name.</summary>
    public bool IsName(ReadOnlySpan<byte> name) => name.SequenceEqual(_name);

    /// <summary>Finds a file in the directory.</summary>
    public Errno Lookup(ReadOnlySpan<byte> name, out EntryInfo entry)
    {
        for (var index = 0; index < FileNames.Length; index++)
        {
            if (name.SequenceEqual(FileNames[index]))
            {
                entry = new EntryInfo(FileNode(index), Attributes(FileNode(index)));
                return Errno.Success;
            }
        }

        entry = default;
        return Errno.ENOENT;
    }

    /// <summary>The attributes of the directory or one of its files.</summary>
    public NodeAttributes Attributes(ulong node)
    {
        var everyone = _panel.Policy.Limits.Settings.ControlReaders == ControlReaders.Everyone;
        var mode = node == Node ? FileModes.Directory | OwnerReadAndSearch | (everyone ? AllReadAndSearch : 0)
            : FileModes.RegularFile | (FileOf(node) == ControlFile.Control ? OwnerReadWrite : OwnerRead) | (everyone ? AllRead : 0);
        return new NodeAttributes(
            Inode: node, Size: node == Node ? 0 : (ulong)_panel.Render(FileOf(node)).Length, Blocks: 0,
            AccessSeconds: _created, AccessNanoseconds: 0, ModifySeconds: _created, ModifyNanoseconds: 0, ChangeSeconds: _created, ChangeNanoseconds: 0,
            Mode: mode, Links: node == Node ? 2u : 1u, Uid: _uid, Gid: _gid, Rdev: 0, BlockSize: 4096);
    }

    /// <summary>Lists ".", "..", then the files, at offsets 1, 2, 3, ...</summary>
    public Errno ReadEntries(long offset, IDirectoryWriter writer)
    {
        for (var index = (int)offset; index < FileNames.Length + 2; index++)
        {
            var (name, node, mode) = index switch
            {
                0 => ("."u8.ToArray(), Node, FileModes.Directory),
                1 => (".."u8.ToArray(), FileSystemIds.Root, FileModes.Directory),
                _ => (FileNames[index - 2], FileNode(index - 2), FileModes.RegularFile),
            };
            var entry = writer.WantsAttributes && index >= 2 ? new EntryInfo(node, Attributes(node)) : default;
            if (!writer.TryAdd(name, node, FileModes.EntryType(mode), index + 1, entry))
            {
                break;
            }
        }

        return Errno.Success;
    }

    /// <summary>Lists the directory itself, as the last entry of the mount root.</summary>
    public bool AddTo(IDirectoryWriter writer, long nextOffset) =>
        writer.TryAdd(_name, Node, FileModes.EntryType(FileModes.Directory), nextOffset, writer.WantsAttributes ? Entry : default);

    private static ulong FileNode(int index) => Node + 1 + (ulong)index;
}
