using System.Text;
using ThrottleFs.FileSystem;
using static ThrottleFs.Tests.FileSystem.InMemoryFileSystem;

namespace ThrottleFs.Tests.FileSystem;

/// <summary>The test double itself, on the parts that are easy to get wrong: lookup counting, listings, paths, errors.</summary>
public sealed class InMemoryFileSystemTests
{
    private static readonly RequestContext User = new(1000, 1000, 42);
    private readonly InMemoryFileSystem _files = new();

    [Fact]
    public void NodeIds_CountUpFromTwo_AndALookedUpNameKeepsItsIdUntilEveryLookupIsForgotten()
    {
        _files.AddFile("a", "a"u8.ToArray());
        _files.AddFile("b", "b"u8.ToArray());

        var a = Lookup(FileSystemIds.Root, "a");
        Assert.Equal(2ul, a);
        Assert.Equal(3ul, Lookup(FileSystemIds.Root, "b"));
        Assert.Equal(a, Lookup(FileSystemIds.Root, "a"));
        Assert.Equal(2ul, _files.LookupsOf("a"));

        _files.Forget(a, 1);
        Assert.Equal("a", _files.PathOf(a));
        _files.Forget(a, 1);
        Assert.Equal(0ul, _files.LookupsOf("a"));
        Assert.Null(_files.PathOf(a));
        Assert.Equal(Errno.ENOENT, _files.GetAttributes(a, null, out _));
        Assert.Equal(2, _files.KnownNodes); // the root and b

        Assert.Equal(4ul, Lookup(FileSystemIds.Root, "a")); // a new id: ids are never reused
    }

    [Fact]
    public void EveryCallThatReturnsAnEntry_CountsOneLookup_AndForgettingTheRootDoesNothing()
    {
        Assert.Equal(Errno.Success, _files.MakeDirectory(User, FileSystemIds.Root, "d"u8, 0x1ED, out var directory));
        Assert.Equal(Errno.Success, _files.MakeNode(User, directory.Node, "n"u8, FileModes.RegularFile | 0x1A4, 0, out _));
        Assert.Equal(Errno.Success, _files.Symlink(User, directory.Node, "s"u8, "n"u8, out _));
        Assert.Equal(Errno.Success, _files.Create(User, directory.Node, "c"u8, WriteOnly | Creat, 0x1A4, out var created, out var file));
        Assert.Equal(Errno.Success, _files.Link(created.Node, FileSystemIds.Root, "hard"u8, out var linked));

        Assert.Equal(created.Node, linked.Node);
        Assert.Equal((1ul, 1ul, 1ul, 2ul), (_files.LookupsOf("d"), _files.LookupsOf("d/n"), _files.LookupsOf("d/s"), _files.LookupsOf("d/c")));
        Assert.Equal(2u, linked.Attributes.Links);
        Assert.Equal((1000u, 1000u), (created.Attributes.Uid, created.Attributes.Gid));

        _files.Forget(FileSystemIds.Root, 1);
        Assert.Equal("", _files.PathOf(FileSystemIds.Root));
        Assert.Equal(Errno.Success, _files.Release(file.Handle));
    }

    [Fact]
    public void Readdir_ResumesAfterTheLastEntryTaken_NeitherRepeatingNorSkippingAsEntriesComeAndGo()
    {
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            _files.AddFile($"dir/{name}", []);
        }

        var handle = OpenDirectory(Lookup(FileSystemIds.Root, "dir"));
        var first = new DirectoryListing(wantsAttributes: false, capacity: 3);
        Assert.Equal(Errno.Success, _files.ReadDirectory(handle, 0, first));
        Assert.Equal([(".", 1L), ("..", 2L), ("a", 3L)], first.Entries.Select(e => (e.Name, e.NextOffset)));

        // Between two replies "a" (listed) and "c" (not yet) go, and "e" comes.
        Assert.Equal(Errno.Success, _files.Unlink(Lookup(FileSystemIds.Root, "dir"), "a"u8));
        Assert.Equal(Errno.Success, _files.Unlink(Lookup(FileSystemIds.Root, "dir"), "c"u8));
        _files.AddFile("dir/e", []);

        var rest = DirectoryListing.ReadAll(_files, handle, plus: false, capacity: 2, from: first.Entries[^1].NextOffset);
        Assert.Equal([("b", 4L), ("d", 6L), ("e", 7L)], rest.Select(e => (e.Name, e.NextOffset)));

        var fromTheMiddle = new DirectoryListing(wantsAttributes: false);
        Assert.Equal(Errno.Success, _files.ReadDirectory(handle, 4, fromTheMiddle));
        Assert.Equal(["d", "e"], fromTheMiddle.Names);
        Assert.Equal(Errno.Success, _files.ReleaseDirectory(handle));
        Assert.Equal(0, _files.OpenHandles);
    }

    [Fact]
    public void ReaddirPlus_CountsALookupForEveryRealEntry_AndGivesBackTheOneThatDidNotFit()
    {
        _files.AddFile("a", []);
        _files.AddFile("b", []);
        var handle = OpenDirectory(FileSystemIds.Root);

        var reply = new DirectoryListing(wantsAttributes: true, capacity: 3);
        Assert.Equal(Errno.Success, _files.ReadDirectory(handle, 0, reply));

        Assert.Equal([".", "..", "a"], reply.Names);
        Assert.Equal([0ul, 0ul], reply.Entries.Take(2).Select(e => e.Entry.Node)); // the dots count nothing
        Assert.Equal(_files.NodeIdOf("a"), reply.Entries[2].Entry.Node);
        Assert.Equal(FileModes.RegularFile | 0x1A4, reply.Entries[2].Entry.Attributes.Mode);
        Assert.Equal((1ul, 0ul), (_files.LookupsOf("a"), _files.LookupsOf("b")));
        Assert.Equal(2, _files.KnownNodes);
    }

    [Fact]
    public void PathOf_FollowsRenamesOfTheFileAndOfItsDirectories_AndAnUnlinkedFileHasNone()
    {
        _files.AddFile("dir/x", []);
        _files.AddDirectory("other");
        var dir = Lookup(FileSystemIds.Root, "dir");
        var other = Lookup(FileSystemIds.Root, "other");
        var x = Lookup(dir, "x");
        Assert.Equal("dir/x", _files.PathOf(x));

        Assert.Equal(Errno.Success, _files.Rename(dir, "x"u8, other, "y"u8, RenameFlags.None));
        Assert.Equal("other/y", _files.PathOf(x));
        Assert.Equal(Errno.Success, _files.Rename(FileSystemIds.Root, "other"u8, dir, "moved"u8, RenameFlags.None));
        Assert.Equal("dir/moved/y", _files.PathOf(x));

        Assert.Equal(Errno.Success, _files.Unlink(other, "y"u8));
        Assert.Null(_files.PathOf(x));
        Assert.Equal(Errno.Success, _files.GetAttributes(x, null, out var attributes)); // still known: the kernel holds it
        Assert.Equal(0u, attributes.Links);
    }

    [Fact]
    public void Names_FailAsLinuxFails()
    {
        _files.AddFile("file", []);
        _files.AddFile("full/inside", []);
        _files.AddDirectory("empty");
        var root = FileSystemIds.Root;
        var file = Lookup(root, "file");
        var full = Lookup(root, "full");

        Assert.Equal(Errno.ENOENT, _files.Lookup(root, "missing"u8, out _));
        Assert.Equal(Errno.ENOTDIR, _files.Lookup(file, "x"u8, out _));
        Assert.Equal(Errno.ENAMETOOLONG, _files.Lookup(root, Encoding.UTF8.GetBytes(new string('n', 256)), out _));
        Assert.Equal(Errno.EEXIST, _files.MakeDirectory(User, root, "file"u8, 0x1ED, out _));
        Assert.Equal(Errno.EEXIST, _files.Create(User, root, "file"u8, WriteOnly | Creat | Exclusive, 0x1A4, out _, out _));
        Assert.Equal(Errno.EPERM, _files.MakeNode(User, root, "fifo"u8, 0x1000 | 0x1A4, 0, out _));
        Assert.Equal(Errno.EPERM, _files.Link(full, root, "again"u8, out _));
        Assert.Equal(Errno.ENOTEMPTY, _files.RemoveDirectory(root, "full"u8));
        Assert.Equal(Errno.ENOTDIR, _files.RemoveDirectory(root, "file"u8));
        Assert.Equal(Errno.EISDIR, _files.Unlink(root, "empty"u8));
        Assert.Equal(Errno.ENOENT, _files.Unlink(root, "missing"u8));
        Assert.Equal(Errno.EINVAL, _files.Rename(root, "full"u8, full, "into-itself"u8, RenameFlags.None));
        Assert.Equal(Errno.EEXIST, _files.Rename(root, "file"u8, root, "empty"u8, RenameFlags.NoReplace));
        Assert.Equal(Errno.EISDIR, _files.Rename(root, "file"u8, root, "empty"u8, RenameFlags.None));
        Assert.Equal(Errno.ENOTDIR, _files.Rename(root, "empty"u8, root, "file"u8, RenameFlags.None));
        Assert.Equal(Errno.ENOTEMPTY, _files.Rename(root, "empty"u8, root, "full"u8, RenameFlags.None));
        Assert.Equal(Errno.EISDIR, _files.Open(User, full, ReadOnly, out _));
        Assert.Equal(Errno.ENOTDIR, _files.OpenDirectory(file, out _));
        Assert.Equal(Errno.EINVAL, _files.ReadLink(file, new byte[16], out _));

        Assert.Equal(Errno.Success, _files.Rename(root, "empty"u8, root, "file"u8, RenameFlags.Exchange));
        Assert.Equal("empty", _files.PathOf(file));
        Assert.True(_files.GetAttributes(Lookup(root, "file"), null, out var swapped) == Errno.Success && swapped.IsDirectory);
        Assert.Equal(Errno.Success, _files.RemoveDirectory(root, "file"u8));
    }

    [Fact]
    public async Task ReadsAndWrites_HonourOffsetsAccessModesAppendAndTruncate()
    {
        _files.AddFile("f", "hello"u8.ToArray());
        var node = Lookup(FileSystemIds.Root, "f");
        var reader = Open(node, ReadOnly);
        var writer = Open(node, WriteOnly);
        Assert.NotEqual(reader, writer);

        Assert.Equal(IoResult.Done(3), await _files.WriteAsync(writer, 7, "abc"u8.ToArray(), default));
        Assert.Equal("hello\0\0abc"u8.ToArray(), _files.ContentOf("f")); // the gap reads as zeros
        var buffer = new byte[16];
        Assert.Equal(IoResult.Done(4), await _files.ReadAsync(reader, 6, buffer, default));
        Assert.Equal("\0abc"u8.ToArray(), buffer[..4]);
        Assert.Equal(IoResult.Done(0), await _files.ReadAsync(reader, 100, buffer, default));
        Assert.Equal(IoResult.Failed(Errno.EBADF), await _files.WriteAsync(reader, 0, "x"u8.ToArray(), default));
        Assert.Equal(IoResult.Failed(Errno.EBADF), await _files.ReadAsync(writer, 0, buffer, default));

        var appender = Open(node, WriteOnly | Append);
        Assert.Equal(IoResult.Done(1), await _files.WriteAsync(appender, 0, "!"u8.ToArray(), default));
        Assert.Equal("hello\0\0abc!"u8.ToArray(), _files.ContentOf("f"));
        Assert.Equal(Errno.Success, _files.Seek(reader, 2, SeekHole, out var hole));
        Assert.Equal(11L, hole);

        Assert.Equal(IoResult.Done(5), await _files.CopyFileRangeAsync(reader, 0, writer, 20, 5, default));
        Assert.Equal("hello", Encoding.UTF8.GetString(_files.ContentOf("f").AsSpan(20)));

        var truncating = Open(node, ReadWrite | Truncate);
        Assert.Empty(_files.ContentOf("f"));
        foreach (var handle in new[] { reader, writer, appender, truncating })
        {
            Assert.Equal(Errno.Success, _files.Release(handle));
        }

        Assert.Equal(Errno.EBADF, _files.Release(reader));
        Assert.Equal(IoResult.Failed(Errno.EBADF), await _files.ReadAsync(reader, 0, buffer, default));
        Assert.Contains(Open(node, ReadOnly), new[] { reader, writer, appender, truncating }); // small integers, reused once released
    }

    [Fact]
    public void SetAttributes_Truncates_ChangesPermissionsButNotTheType_AndSetsTimes()
    {
        _files.AddFile("f", "0123456789"u8.ToArray());
        var node = Lookup(FileSystemIds.Root, "f");
        var changes = new AttributeChanges(
            AttributeFields.Size | AttributeFields.Mode | AttributeFields.ModifyTime, Mode: 0x8000 | 0x180, 0, 0, Size: 4, 0, 0, ModifySeconds: 1_700_000_000, ModifyNanoseconds: 5, null);

        Assert.Equal(Errno.Success, _files.SetAttributes(node, changes, out var attributes));

        Assert.Equal((4ul, FileModes.RegularFile | 0x180, 1_700_000_000L, 5u), (attributes.Size, attributes.Mode, attributes.ModifySeconds, attributes.ModifyNanoseconds));
        Assert.Equal("0123"u8.ToArray(), _files.ContentOf("f"));
        Assert.Equal(Errno.EISDIR, _files.SetAttributes(FileSystemIds.Root, changes, out _));
    }

    [Fact]
    public void ExtendedAttributes_ProbeTheSize_RefuseASmallBuffer_AndHonourCreateAndReplace()
    {
        _files.AddFile("f", []);
        var node = Lookup(FileSystemIds.Root, "f");
        Assert.Equal(Errno.ENODATA, _files.SetExtendedAttribute(User, node, "user.b"u8, "x"u8, XattrReplace));
        Assert.Equal(Errno.Success, _files.SetExtendedAttribute(User, node, "user.b"u8, "value"u8, XattrCreate));
        Assert.Equal(Errno.EEXIST, _files.SetExtendedAttribute(User, node, "user.b"u8, "x"u8, XattrCreate));
        Assert.Equal(Errno.Success, _files.SetExtendedAttribute(User, node, "user.a"u8, "1"u8, 0));

        Assert.Equal(Errno.Success, _files.GetExtendedAttribute(node, "user.b"u8, [], out var size));
        Assert.Equal(5, size);
        Assert.Equal(Errno.ERANGE, _files.GetExtendedAttribute(node, "user.b"u8, new byte[4], out _));
        var value = new byte[5];
        Assert.Equal(Errno.Success, _files.GetExtendedAttribute(node, "user.b"u8, value, out _));
        Assert.Equal("value"u8.ToArray(), value);

        Assert.Equal(Errno.Success, _files.ListExtendedAttributes(node, [], out var listSize));
        var list = new byte[listSize];
        Assert.Equal(Errno.Success, _files.ListExtendedAttributes(node, list, out _));
        Assert.Equal("user.a\0user.b\0"u8.ToArray(), list);

        Assert.Equal(Errno.Success, _files.RemoveExtendedAttribute(User, node, "user.a"u8));
        Assert.Equal(Errno.ENODATA, _files.RemoveExtendedAttribute(User, node, "user.a"u8));
        Assert.Equal(Errno.ENODATA, _files.GetExtendedAttribute(node, "user.a"u8, value, out _));
    }

    [Fact]
    public async Task TheContractBreakingHooks_HandOutIdsInTheLayersRange_ThatStillWork()
    {
        _files.AddFile("f", "data"u8.ToArray());
        _files.NextNodeId = FileSystemIds.FirstLayerNode + 1;
        _files.HandsOutLayerHandles = true;

        var node = Lookup(FileSystemIds.Root, "f");
        var handle = Open(node, ReadOnly);

        Assert.False(FileSystemIds.IsFileSystemNode(node));
        Assert.False(FileSystemIds.IsFileSystemHandle(handle));
        var buffer = new byte[4];
        Assert.Equal(IoResult.Done(4), await _files.ReadAsync(handle, 0, buffer, default));
        Assert.Equal(Errno.Success, _files.Release(handle));
        Assert.Equal(0, _files.OpenHandles);
        _files.Forget(node, 1);
        Assert.Equal(1, _files.KnownNodes);
    }

    private ulong Lookup(ulong parent, string name)
    {
        Assert.Equal(Errno.Success, _files.Lookup(parent, Encoding.UTF8.GetBytes(name), out var entry));
        return entry.Node;
    }

    private ulong Open(ulong node, int flags)
    {
        Assert.Equal(Errno.Success, _files.Open(User, node, flags, out var file));
        return file.Handle;
    }

    private ulong OpenDirectory(ulong node)
    {
        Assert.Equal(Errno.Success, _files.OpenDirectory(node, out var directory));
        return directory.Handle;
    }
}
