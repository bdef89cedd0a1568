using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// Mirrors a backing directory, or a single file, with .NET's portable file APIs only (no P/Invoke): the Windows
/// host's passthrough, which runs, and is tested, on Linux too. No portable call names a file by identity, so a node
/// is a place in a tree of names (<see cref="PortableNodeTree"/>): a rename made through the passthrough moves it and
/// everything below it, one made behind its back loses it (ENOENT until the new name is looked up). Open files are
/// .NET handles read and written with <see cref="RandomAccess"/>, so an unlinked file stays usable through them where
/// the OS allows it (Unix; Windows with POSIX delete semantics). What POSIX has and the portable calls lack answers
/// with the errno Linux gives for a filesystem without the feature (hard links, special files, extended attributes,
/// copy_file_range, fallocate modes). Methods return errno values; the exceptions of the backing calls become one in
/// <see cref="BackingError"/>. No throttling here: the core wraps this. This file holds the set-up and the nodes
/// (lookup, forget, paths); the other parts: names, renames, opening files, data I/O, attributes and their changes,
/// extended attributes, directories.
/// </summary>
public sealed partial class PortablePassthroughFileSystem : IFileSystem, IDisposable
{
    private readonly PortableNodeTree _tree;
    private readonly HandlePool _handles = new();
    private readonly HandleMap<PortableFile> _files = new();
    private readonly HandleMap<PortableDirectory> _directories = new();
    private readonly uint _ownerUid;
    private readonly uint _ownerGid;
    private readonly bool _caseInsensitive;
    private readonly bool _storeFoldsCase;
    private int _disposed;

    /// <summary>
    /// Mirrors <paramref name="source"/>, a directory, or a regular file that the mount shows as the only entry of its
    /// root directory (as the Linux passthrough's file-in-directory layout). Names match regardless of case on Windows
    /// and macOS, whose stores do, and exactly elsewhere.
    /// </summary>
    /// <param name="source">The backing directory or file.</param>
    /// <param name="ownerUid">The user every file is reported to belong to (the portable calls cannot read owners).</param>
    /// <param name="ownerGid">The group every file is reported to belong to.</param>
    /// <exception cref="IOException">The source is neither a directory nor a file; the message names it.</exception>
    public PortablePassthroughFileSystem(string source, uint ownerUid = 0, uint ownerGid = 0)
        : this(source, ownerUid, ownerGid, PlatformFoldsCase)
    {
    }

    /// <summary>As the public constructor, with the name matching chosen (tests use case-insensitive matching on Linux).</summary>
    internal PortablePassthroughFileSystem(string source, uint ownerUid, uint ownerGid, bool caseInsensitive)
    {
        Source = Path.TrimEndingDirectorySeparator(Path.GetFullPath(source));
        _ownerUid = ownerUid;
        _ownerGid = ownerGid;
        _caseInsensitive = caseInsensitive;

        // Only a store that folds case itself says, by not having a name, that no spelling of it exists; matching
        // without case on a store that keeps case (Linux in tests) must read the directory to know.
        _storeFoldsCase = caseInsensitive && PlatformFoldsCase;
        var rootPath = Source;
        if (!Directory.Exists(Source))
        {
            if (!File.Exists(Source))
            {
                throw new FileNotFoundException($"'{source}' is neither a directory nor a file.", source);
            }

            rootPath = Path.GetDirectoryName(Source)!;
            var name = Path.GetFileName(Source);
            SingleName = caseInsensitive ? BackingListing.FindSpelling(rootPath, name) ?? name : name;
        }

        _tree = new PortableNodeTree(rootPath, caseInsensitive);
    }

    /// <summary>The backing directory or file, as a full path.</summary>
    public string Source { get; }

    /// <summary>The name of the single file when the source is one (the root's only entry); null for a directory.</summary>
    public string? SingleName { get; }

    /// <summary>How many nodes the passthrough knows, the root included.</summary>
    internal int NodeCount => _tree.NodeCount;

    private static bool PlatformFoldsCase => OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();

    /// <summary>The node's path under the root as it is now, renames through us included; null once unknown or removed.</summary>
    public string? PathOf(ulong node) => _tree.Find(node) is { } found ? _tree.PathOf(found) : null;

    public Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out EntryInfo entry)
    {
        entry = default;
        if (_tree.Find(parent) is not { } directory)
        {
            return Errno.ENOENT;
        }

        var error = BackingName.Decode(name, out var text);
        if (error != Errno.Success)
        {
            return error;
        }

        if (BackingName.IsDot(text))
        {
            return CountAgain(text == "." ? directory : _tree.ParentOf(directory), out entry);
        }

        error = FindEntry(directory, text, out var backing);
        if (error != Errno.Success)
        {
            return error;
        }

        return backing.Type == 0 ? Errno.ENOENT : Count(directory, backing.Spelling, backing.Info, out entry);
    }

    public void Forget(ulong node, ulong lookups) => _tree.Forget(node, lookups);

    /// <summary>Closes every open file; open directories hold nothing of the backing store.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var file in _files.Snapshot())
        {
            file.Close();
        }
    }

    // Finds name in directory: how the store spells it (name itself when nothing is there, for a new entry), its
    // backing path, and what is there now. The single-file source's root has the file alone. An error only when the
    // directory itself is not there (ENOENT) or is not one (ENOTDIR).
    private Errno FindEntry(PortableNode directory, string name, out BackingEntry entry)
    {
        entry = default;
        var spelling = name;
        if (_tree.BackingPathOf(directory) is not { } directoryPath)
        {
            return Errno.ENOENT;
        }

        try
        {
            if (IsVirtual(directory))
            {
                if (!_tree.Names.Equals(name, SingleName))
                {
                    return Errno.ENOENT;
                }

                spelling = SingleName!;
            }
            else if (_caseInsensitive)
            {
                spelling = SpellingOf(directory, directoryPath, name);
            }

            var path = Path.Join(directoryPath, spelling);
            entry = new BackingEntry(spelling, path, new FileInfo(path));
            return entry.Type != 0 || Directory.Exists(directoryPath) ? Errno.Success : NotADirectory(directoryPath);
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            var error = BackingError.From(e);
            return error == Errno.ENOENT ? NotADirectory(directoryPath) : error;
        }
    }

    // Why a directory node's path holds no directory: .NET reports a file in the way as a missing directory.
    private static Errno NotADirectory(string directoryPath) => File.Exists(directoryPath) ? Errno.ENOTDIR : Errno.ENOENT;

    // The spelling a case-insensitive match of name has in the directory: a known node's (the cheap and usual case),
    // else the store's, read from a listing; name itself when there is no such entry.
    private string SpellingOf(PortableNode directory, string directoryPath, string name)
    {
        if (_tree.Known(directory, name) is { } known && BackingListing.Exists(Path.Join(directoryPath, known.Name)))
        {
            return known.Name;
        }

        if (_storeFoldsCase && !BackingListing.Exists(Path.Join(directoryPath, name)))
        {
            return name;
        }

        return BackingListing.FindSpelling(directoryPath, name) ?? name;
    }

    // Counts one lookup of the entry spelling in directory, whose status info holds.
    private Errno Count(PortableNode directory, string spelling, FileSystemInfo info, out EntryInfo entry)
    {
        entry = default;
        var error = BackingAttributes.Of(info, 0, _ownerUid, _ownerGid, out var attributes);
        if (error != Errno.Success)
        {
            return error;
        }

        if (_tree.Count(directory, spelling) is not { } node)
        {
            return Errno.ENFILE; // the ids are used up
        }

        entry = new EntryInfo(node.Id, attributes with { Inode = node.Id });
        return Errno.Success;
    }

    // Counts one more lookup of a node the kernel already holds ("." and ".." by name).
    private Errno CountAgain(PortableNode? node, out EntryInfo entry)
    {
        entry = default;
        if (node is null)
        {
            return Errno.ENOENT;
        }

        var error = Stat(node, null, out var attributes);
        if (error != Errno.Success)
        {
            return error;
        }

        if (!_tree.CountAgain(node))
        {
            return Errno.ENOENT;
        }

        entry = new EntryInfo(node.Id, attributes);
        return Errno.Success;
    }

    // A directory node names may be made in, removed from or renamed in. The single-file source's root is ours: EPERM,
    // as the Linux passthrough answers.
    private Errno WritableDirectory(ulong node, out PortableNode directory)
    {
        directory = _tree.Find(node)!;
        return directory is null ? Errno.ENOENT : IsVirtual(directory) ? Errno.EPERM : Errno.Success;
    }

    // Whether node is the single-file source's root, a directory of ours that shows the file alone.
    private bool IsVirtual(PortableNode node) => SingleName is not null && node == _tree.Root;
}
