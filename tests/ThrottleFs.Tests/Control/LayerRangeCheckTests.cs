using ThrottleFs.FileSystem;
using ThrottleFs.Tests.FileSystem;
using static ThrottleFs.Tests.Control.ControlledFiles;
using static ThrottleFs.Tests.FileSystem.InMemoryFileSystem;

namespace ThrottleFs.Tests.Control;

/// <summary>
/// The control layer checks that the filesystem under it keeps its node ids below
/// <see cref="FileSystemIds.FirstLayerNode"/> and its handles below <see cref="FileSystemIds.FirstLayerHandle"/>: a call
/// that returns one from the layers' range fails with EIO, and the node's lookup is given back or the handle released,
/// so nothing leaks. The in-memory filesystem is made to hand them out (the first node id it hands out would be taken
/// for <c>.throttlefs/control</c>).
/// </summary>
public sealed class LayerRangeCheckTests
{
    [Fact]
    public void ANodeIdInTheLayersRange_IsGivenBack_AndTheCallFailsWithEio()
    {
        using var stack = new ControlledFiles();
        stack.Backing.AddFile("a.txt", "a"u8.ToArray());
        var root = FileSystemIds.Root;
        stack.Backing.NextNodeId = FileSystemIds.FirstLayerNode + 1;

        Assert.Equal(Errno.EIO, stack.Files.Lookup(root, "a.txt"u8, out _));
        Assert.Equal(Errno.EIO, stack.Files.MakeDirectory(Owner, root, "dir"u8, 0x1ED, out _));
        Assert.Equal(Errno.EIO, stack.Files.MakeNode(Owner, root, "node"u8, FileModes.RegularFile | 0x1A4, 0, out _));
        Assert.Equal(Errno.EIO, stack.Files.Symlink(Owner, root, "link"u8, "a.txt"u8, out _));

        foreach (var path in new[] { "a.txt", "dir", "node", "link" })
        {
            Assert.Equal(0ul, stack.Backing.LookupsOf(path));
        }

        Assert.Equal(1, stack.Backing.KnownNodes);
        Assert.Equal($"{ControlName}/control", stack.Files.PathOf(FileSystemIds.FirstLayerNode + 1)); // what the id would have meant
    }

    [Fact]
    public void ACreatedFileWithANodeIdInTheLayersRange_IsReleasedAndGivenBack_AndTheCreateFailsWithEio()
    {
        using var stack = new ControlledFiles();
        stack.Backing.NextNodeId = FileSystemIds.FirstLayerNode + 3;

        Assert.Equal(Errno.EIO, stack.Files.Create(Owner, FileSystemIds.Root, "new.img"u8, WriteOnly | Creat, 0x1A4, out _, out _));

        Assert.Equal((0, 0ul), (stack.Backing.OpenHandles, stack.Backing.LookupsOf("new.img")));
        Assert.Equal(0, stack.Policy.GetStatistics("new.img")!.Opens); // the throttle layer saw the release too
    }

    [Fact]
    public void ADirectoryHandleInTheLayersRange_IsReleased_AndOpendirFailsWithEio()
    {
        using var stack = new ControlledFiles();
        stack.Backing.AddDirectory("dir");
        var dir = stack.Lookup("dir");
        stack.Backing.HandsOutLayerHandles = true;

        Assert.Equal(Errno.EIO, stack.Files.OpenDirectory(dir, out _));
        Assert.Equal(Errno.EIO, stack.Files.OpenDirectory(FileSystemIds.Root, out _));

        Assert.Equal(0, stack.Backing.OpenHandles);
    }

    [Fact]
    public void AFileHandleInTheLayersRange_IsReleased_AndOpenOrCreateFailsWithEio()
    {
        // Straight over the backing filesystem: the throttle layer would refuse these handles first.
        using var stack = new ControlledFiles(throttled: false);
        stack.Backing.AddFile("a.txt", "a"u8.ToArray());
        var file = stack.Lookup("a.txt");
        stack.Backing.HandsOutLayerHandles = true;

        Assert.Equal(Errno.EIO, stack.Files.Open(Owner, file, ReadOnly, out _));
        Assert.Equal(Errno.EIO, stack.Files.Create(Owner, FileSystemIds.Root, "new.img"u8, WriteOnly | Creat, 0x1A4, out _, out _));

        Assert.Equal((0, 0ul), (stack.Backing.OpenHandles, stack.Backing.LookupsOf("new.img")));
        Assert.Equal(1ul, stack.Backing.LookupsOf("a.txt")); // the test's own lookup, untouched
    }

    [Fact]
    public async Task IdsInTheFileSystemsRange_PassUnchanged()
    {
        using var stack = new ControlledFiles(throttled: false);
        stack.Backing.AddFile("a.txt", "abc"u8.ToArray());

        var node = stack.Lookup("a.txt");
        var handle = stack.Open("a.txt");

        Assert.Equal((stack.Backing.NodeIdOf("a.txt"), 1), (node, stack.Backing.OpenHandles));
        Assert.Equal(IoResult.Done(3), await stack.Files.ReadAsync(handle, 0, new byte[8], default));
        Assert.Equal(Errno.Success, stack.Files.Release(handle));
    }

    [Fact]
    public void ANodeIdInTheLayersRange_FromReaddirPlus_IsNotPassedOn_AndItsLookupIsGivenBack()
    {
        using var stack = new ControlledFiles();
        stack.Backing.AddFile("dir/a.txt", "a"u8.ToArray());
        var dir = stack.Lookup("dir");
        stack.Backing.NextNodeId = FileSystemIds.FirstLayerNode + 1;

        Assert.Equal(Errno.Success, stack.Files.OpenDirectory(dir, out var directory));
        var listing = DirectoryListing.ReadAll(stack.Files, directory.Handle, plus: true, capacity: 100);

        Assert.DoesNotContain(listing, entry => entry.Entry.Node >= FileSystemIds.FirstLayerNode);
        Assert.Equal(0ul, stack.Backing.LookupsOf("dir/a.txt"));
    }
}
