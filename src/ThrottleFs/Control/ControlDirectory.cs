using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Control;

/// <summary>
/// The control directory's own nodes: the directory and its files, numbered from the start of the layers' range
/// (<see cref="FileSystemIds.FirstLayerNode"/>), with attributes made up as /proc's are: size 0, since a file's content
/// is generated when it is opened. Only <c>control</c> takes writes, from the mount's owner; everyone may read.
/// </summary>
internal sealed class ControlDirectory
{
    /// <summary>The directory's node id.</summary>
    public const ulong Node = FileSystemIds.FirstLayerNode;

    private const uint ReadWrite = 0x1A4; // 0644
    private const uint ReadOnly = 0x124; // 0444
    private const uint ReadAndSearch = 0x16D; // 0555

    private static readonly byte[][] FileNames = [.. ControlFiles.All.Select(file => Encoding.UTF8.GetBytes(file.Name()))];

    private readonly byte[] _name;
    private readonly uint _uid;
    private readonly uint _gid;
    private readonly long _created;

    /// <param name="name">The directory's name at the mount root.</param>
    /// <param name="ownerUid">Who owns the control files: the mount's owner.</param>
    /// <param name="ownerGid">The group they belong to.</param>
    /// <param name="created">When the mount came up, the files' times.</param>
    public ControlDirectory(string name, uint ownerUid, uint ownerGid, DateTimeOffset created)
    {
        _name = Encoding.UTF8.GetBytes(name);
        (_uid, _gid) = (ownerUid, ownerGid);
        _created = created.ToUnixTimeSeconds();
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
        var mode = node == Node ? FileModes.Directory | ReadAndSearch
            : FileOf(node) == ControlFile.Control ? FileModes.RegularFile | ReadWrite
            : FileModes.RegularFile | ReadOnly;
        return new NodeAttributes(
            Inode: node, Size: 0, Blocks: 0,
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
