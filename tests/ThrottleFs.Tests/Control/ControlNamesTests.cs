using System.Text;
using ThrottleFs.FileSystem;
using static ThrottleFs.Tests.Control.ControlledFiles;
using static ThrottleFs.Tests.FileSystem.InMemoryFileSystem;

namespace ThrottleFs.Tests.Control;

/// <summary>
/// The control directory cannot be created over, removed, renamed, replaced or written into: its name at the root is
/// taken (EEXIST), nothing is made inside it (EACCES) or under one of its files (ENOTDIR), and its entries are not
/// removed or moved (EPERM). The backing filesystem never hears of any of it.
/// </summary>
public sealed class ControlNamesTests : IDisposable
{
    private static readonly byte[] Name = Encoding.UTF8.GetBytes(ControlName);

    private readonly ControlledFiles _stack = new();
    private readonly ulong _directory;
    private readonly ulong _control;

    public ControlNamesTests()
    {
        _stack.Backing.AddFile("a.txt", "a"u8.ToArray());
        _stack.Backing.AddDirectory("dir");
        _directory = _stack.Lookup(ControlName);
        _control = _stack.Lookup($"{ControlName}/control");
    }

    public void Dispose() => _stack.Dispose();

    [Fact]
    public void MakingAnythingUnderTheNameAtTheRoot_FailsWithEexist()
    {
        var root = FileSystemIds.Root;

        Assert.Equal(Errno.EEXIST, _stack.Files.MakeDirectory(Owner, root, Name, 0x1ED, out _));
        Assert.Equal(Errno.EEXIST, _stack.Files.MakeNode(Owner, root, Name, FileModes.RegularFile | 0x1A4, 0, out _));
        Assert.Equal(Errno.EEXIST, _stack.Files.Symlink(Owner, root, Name, "a.txt"u8, out _));
        Assert.Equal(Errno.EEXIST, _stack.Files.Create(Owner, root, Name, WriteOnly | Creat, 0x1A4, out _, out _));
        Assert.Equal(Errno.EEXIST, _stack.Files.Link(_stack.Lookup("a.txt"), root, Name, out _));
        Assert.False(_stack.Backing.Exists(ControlName));
    }

    [Fact]
    public void MakingAnythingInsideTheDirectory_FailsWithEacces()
    {
        Assert.Equal(Errno.EACCES, _stack.Files.MakeDirectory(Owner, _directory, "new"u8, 0x1ED, out _));
        Assert.Equal(Errno.EACCES, _stack.Files.MakeNode(Root, _directory, "new"u8, FileModes.RegularFile | 0x1A4, 0, out _));
        Assert.Equal(Errno.EACCES, _stack.Files.Symlink(Owner, _directory, "new"u8, "x"u8, out _));
        Assert.Equal(Errno.EACCES, _stack.Files.Create(Owner, _directory, "new"u8, WriteOnly | Creat, 0x1A4, out _, out _));
        Assert.Equal(Errno.EACCES, _stack.Files.Create(Owner, _directory, "control"u8, WriteOnly | Creat, 0x1A4, out _, out _));
        Assert.Equal(Errno.EACCES, _stack.Files.Link(_stack.Lookup("a.txt"), _directory, "a.txt"u8, out _));
    }

    [Fact]
    public void MakingAnythingUnderAControlFile_FailsWithEnotdir()
    {
        Assert.Equal(Errno.ENOTDIR, _stack.Files.MakeDirectory(Owner, _control, "new"u8, 0x1ED, out _));
        Assert.Equal(Errno.ENOTDIR, _stack.Files.Create(Owner, _control, "new"u8, WriteOnly | Creat, 0x1A4, out _, out _));
        Assert.Equal(Errno.ENOTDIR, _stack.Files.OpenDirectory(_control, out _));
        Assert.Equal(Errno.EISDIR, _stack.Files.Open(Owner, _directory, ReadOnly, out _));
        Assert.Equal(Errno.ENOENT, _stack.Files.Lookup(_directory, "nope"u8, out _));
    }

    [Fact]
    public void RemovingTheDirectoryOrItsFiles_FailsWithEperm()
    {
        Assert.Equal(Errno.EPERM, _stack.Files.RemoveDirectory(FileSystemIds.Root, Name));
        Assert.Equal(Errno.EPERM, _stack.Files.Unlink(FileSystemIds.Root, Name));
        Assert.Equal(Errno.EPERM, _stack.Files.Unlink(_directory, "stats"u8));
        Assert.Equal(Errno.EPERM, _stack.Files.Unlink(_directory, "missing"u8));
        Assert.Equal(Errno.EPERM, _stack.Files.RemoveDirectory(_directory, "control"u8));
        Assert.Equal(_control, _stack.Lookup($"{ControlName}/control"));
    }

    [Fact]
    public void RenamingTheDirectoryOrItsFiles_OrOntoThem_FailsWithEperm()
    {
        var root = FileSystemIds.Root;
        var dir = _stack.Lookup("dir");

        Assert.Equal(Errno.EPERM, _stack.Files.Rename(root, Name, root, "moved"u8, RenameFlags.None));
        Assert.Equal(Errno.EPERM, _stack.Files.Rename(_directory, "control"u8, root, "control"u8, RenameFlags.None));
        Assert.Equal(Errno.EPERM, _stack.Files.Rename(root, "dir"u8, root, Name, RenameFlags.None));
        Assert.Equal(Errno.EPERM, _stack.Files.Rename(root, "a.txt"u8, _directory, "a.txt"u8, RenameFlags.None));
        Assert.Equal(Errno.EPERM, _stack.Files.Rename(root, "a.txt"u8, root, Name, RenameFlags.Exchange));
        Assert.Equal(Errno.EPERM, _stack.Files.Link(_control, dir, "control"u8, out _));
        Assert.True(_stack.Backing.Exists("a.txt") && _stack.Backing.Exists("dir"));
    }

    [Fact]
    public void TheNameIsReservedAtTheRootOnly()
    {
        var dir = _stack.Lookup("dir");

        Assert.Equal(Errno.Success, _stack.Files.MakeDirectory(Owner, dir, Name, 0x1ED, out var entry));
        Assert.Equal($"dir/{ControlName}", _stack.Files.PathOf(entry.Node));
        Assert.Equal(Errno.Success, _stack.Files.Rename(dir, Name, dir, "renamed"u8, RenameFlags.None));
        Assert.Equal(Errno.Success, _stack.Files.RemoveDirectory(dir, "renamed"u8));
    }

    [Fact]
    public void ControlNodes_RefuseExtendedAttributes()
    {
        foreach (var node in new[] { _directory, _control })
        {
            Assert.Equal(Errno.EPERM, _stack.Files.SetExtendedAttribute(Owner, node, "user.x"u8, "1"u8, 0));
            Assert.Equal(Errno.EPERM, _stack.Files.SetExtendedAttribute(Owner, node, "user.throttlefs.limits"u8, "iops-total=1"u8, 0));
            Assert.Equal(Errno.ENODATA, _stack.Files.GetExtendedAttribute(node, "user.throttlefs.limits"u8, [], out _));
            Assert.Equal(Errno.EPERM, _stack.Files.RemoveExtendedAttribute(Owner, node, "user.x"u8));
            Assert.Equal(Errno.Success, _stack.Files.ListExtendedAttributes(node, [], out var length));
            Assert.Equal(0, length);
        }
    }
}
