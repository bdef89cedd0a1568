using ThrottleFs.FileSystem;
using ThrottleFs.Tests.FileSystem;
using static ThrottleFs.Tests.Control.ControlledFiles;

namespace ThrottleFs.Tests.Control;

/// <summary>
/// The control directory as the root shows it: found by name, listed once at the end of the root, its files with
/// their modes and owner, a backing entry of the same name hidden, and its nodes named by <c>PathOf</c>.
/// </summary>
public sealed class ControlDirectoryListingTests : IDisposable
{
    private const uint ReadWrite = 0x180; // 0600: by default only the owner (and root) may read the control files
    private const uint ReadOnly = 0x100; // 0400
    private const uint ReadAndSearch = 0x140; // 0500

    private readonly ControlledFiles _stack = new();

    public ControlDirectoryListingTests()
    {
        _stack.Backing.AddFile("a.txt", "a"u8.ToArray());
        _stack.Backing.AddFile("dir/b.txt", "b"u8.ToArray());
    }

    public void Dispose() => _stack.Dispose();

    [Fact]
    public void TheControlDirectory_IsFoundAtTheRoot_AsADirectoryOfTheOwner_InTheLayersRange()
    {
        var node = _stack.Lookup(ControlName);

        Assert.Equal(FileSystemIds.FirstLayerNode, node);
        var attributes = _stack.Attributes(ControlName);
        Assert.Equal((FileModes.Directory | ReadAndSearch, OwnerUid, OwnerGid, 2u), (attributes.Mode, attributes.Uid, attributes.Gid, attributes.Links));
        Assert.Equal(1, _stack.Backing.KnownNodes); // the root alone: the backing filesystem was not asked
        Assert.Equal(Errno.ENOENT, _stack.Files.Lookup(_stack.Lookup("dir"), ".throttlefs"u8, out _)); // only at the root
    }

    [Fact]
    public void TheControlDirectory_ListsItsFiles_ReadableByTheOwner_AndOnlyControlWritable_WithTheSizeOfTheirContent()
    {
        Assert.Equal(Errno.Success, _stack.Files.OpenDirectory(_stack.Lookup(ControlName), out var directory));
        Assert.False(FileSystemIds.IsFileSystemHandle(directory.Handle));
        var listing = DirectoryListing.ReadAll(_stack.Files, directory.Handle, plus: true, capacity: 2);
        Assert.Equal(Errno.Success, _stack.Files.ReleaseDirectory(directory.Handle));

        Assert.Equal([".", "..", "control", "errors", "stats", "metrics", "changes", "trace"], listing.Select(e => e.Name));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], listing.Select(e => e.NextOffset));
        Assert.Equal([0ul, 0ul], listing.Take(2).Select(e => e.Entry.Node));
        foreach (var (name, mode) in new[] { ("control", ReadWrite), ("errors", ReadOnly), ("stats", ReadOnly), ("metrics", ReadOnly), ("changes", ReadOnly), ("trace", ReadOnly) })
        {
            var attributes = _stack.Attributes($"{ControlName}/{name}");
            Assert.Equal((FileModes.RegularFile | mode, OwnerUid, OwnerGid), (attributes.Mode, attributes.Uid, attributes.Gid));
            Assert.Equal((ulong)_stack.Panel.Render(Enum.Parse<ThrottleFs.Control.ControlFile>(name, ignoreCase: true)).Length, attributes.Size);
            var listed = listing.Single(e => e.Name == name);
            Assert.Equal((_stack.Lookup($"{ControlName}/{name}"), attributes), (listed.Entry.Node, listed.Entry.Attributes));
        }
    }

    [Fact]
    public void WithControlReadersEveryone_EveryUserMayReadTheControlFiles()
    {
        using var stack = new ControlledFiles(readers: ThrottleFs.Configuration.ControlReaders.Everyone);

        Assert.Equal(FileModes.Directory | 0x16Du, stack.Attributes(ControlName).Mode); // 0555
        Assert.Equal(FileModes.RegularFile | 0x1A4u, stack.Attributes($"{ControlName}/control").Mode); // 0644: writes stay the owner's
        Assert.Equal(FileModes.RegularFile | 0x124u, stack.Attributes($"{ControlName}/stats").Mode); // 0444
    }

    [Fact]
    public void TheRootListing_EndsWithTheControlDirectory_Once()
    {
        foreach (var capacity in new[] { 1, 2, 3, 100 })
        {
            var listing = _stack.ListRoot(plus: false, capacity);

            Assert.Equal([".", "..", "a.txt", "dir", ControlName], listing.Select(e => e.Name));
            var control = listing[^1];
            Assert.Equal((FileSystemIds.FirstLayerNode, FileModes.EntryType(FileModes.Directory)), (control.Inode, control.Type));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(100)]
    public void ABackingEntryOfTheSameName_IsHiddenFromReaddir(int capacity)
    {
        _stack.Backing.AddFile(".throttlefs/control", "backing file"u8.ToArray());
        _stack.Backing.AddFile("z.txt", []); // after the hidden entry

        var listing = _stack.ListRoot(plus: false, capacity);

        Assert.Equal([".", "..", "a.txt", "dir", "z.txt", ControlName], listing.Select(e => e.Name));
        Assert.Equal(FileSystemIds.FirstLayerNode, listing[^1].Inode);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(100)]
    public void ABackingEntryOfTheSameName_IsHiddenFromReaddirPlus_AndItsLookupIsGivenBack(int capacity)
    {
        _stack.Backing.AddDirectory(".throttlefs");
        _stack.Backing.AddFile("z.txt", []);

        var listing = _stack.ListRoot(plus: true, capacity);

        Assert.Equal([".", "..", "a.txt", "dir", "z.txt", ControlName], listing.Select(e => e.Name));
        Assert.Equal(0ul, _stack.Backing.LookupsOf(".throttlefs"));
        Assert.Equal((1ul, 1ul, 1ul), (_stack.Backing.LookupsOf("a.txt"), _stack.Backing.LookupsOf("dir"), _stack.Backing.LookupsOf("z.txt")));
        Assert.Equal(_stack.Backing.NodeIdOf("z.txt"), listing.Single(e => e.Name == "z.txt").Entry.Node);
        var control = listing[^1].Entry;
        Assert.Equal((FileSystemIds.FirstLayerNode, FileModes.Directory | ReadAndSearch), (control.Node, control.Attributes.Mode));
    }

    [Fact]
    public void ABackingEntryOfTheSameName_CannotBeReached()
    {
        _stack.Backing.AddFile(".throttlefs/control", "backing file"u8.ToArray());

        Assert.Equal(FileSystemIds.FirstLayerNode + 1, _stack.Lookup($"{ControlName}/control"));
        Assert.Equal(0ul, _stack.Backing.LookupsOf(".throttlefs"));
    }

    [Fact]
    public void PathOf_NamesTheControlNodes_AndPassesOthersThrough()
    {
        Assert.Equal(ControlName, _stack.Files.PathOf(_stack.Lookup(ControlName)));
        foreach (var name in new[] { "control", "errors", "stats", "metrics", "changes", "trace" })
        {
            Assert.Equal($"{ControlName}/{name}", _stack.Files.PathOf(_stack.Lookup($"{ControlName}/{name}")));
        }

        Assert.Equal("dir/b.txt", _stack.Files.PathOf(_stack.Lookup("dir/b.txt")));
        Assert.Equal("", _stack.Files.PathOf(FileSystemIds.Root));
        Assert.Null(_stack.Files.PathOf(12345));
    }

    [Fact]
    public void ControlNodes_AreForgottenByTheLayer_AndStatfsAnswersForTheRoot()
    {
        var stats = _stack.Lookup($"{ControlName}/stats");
        var known = _stack.Backing.KnownNodes;

        _stack.Files.Forget(stats, 1);
        _stack.Files.Forget(FileSystemIds.FirstLayerNode, 5);

        Assert.Equal(known, _stack.Backing.KnownNodes);
        Assert.Equal(stats, _stack.Lookup($"{ControlName}/stats")); // fixed ids: nothing to count
        Assert.Equal(Errno.Success, _stack.Files.GetVolumeStatistics(stats, out var volume));
        Assert.Equal(InMemoryFileSystem.Volume, volume);
        Assert.Equal(Errno.Success, _stack.Files.Access(stats, 2));
    }
}
