using System.Text;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Tests.Dokan;

/// <summary>
/// ZwCreateFile through the operations table on the portable passthrough of a temporary folder: every kernel create
/// disposition on a missing and an existing file (dokan-notes §2: an existing file opened by a disposition that may
/// create answers OBJECT_NAME_COLLISION, which dokan2 reports as "opened"), the directory flags, and opens that are
/// refused keeping nothing.
/// </summary>
public sealed unsafe class DokanCreateTests : IDisposable
{
    private readonly CallbackVolume _volume = new();

    public void Dispose() => _volume.Dispose();

    [Theory]
    [InlineData(Win32.Supersede, NtStatus.Success)]
    [InlineData(Win32.Create, NtStatus.Success)]
    [InlineData(Win32.OpenIf, NtStatus.Success)]
    [InlineData(Win32.OverwriteIf, NtStatus.Success)]
    [InlineData(Win32.Open, NtStatus.ObjectNameNotFound)]
    [InlineData(Win32.Overwrite, NtStatus.ObjectNameNotFound)]
    public void OnAMissingFile_TheDispositionsThatCreate_CreateIt_TheOthersFindNothing(uint disposition, int expected)
    {
        var status = _volume.Create(@"\new.img", Win32.GenericRead | Win32.GenericWrite, disposition, out var info);

        Assert.Equal(expected, status);
        Assert.Equal(expected == NtStatus.Success, File.Exists(_volume.Backing("new.img")));
        if (status == NtStatus.Success)
        {
            Assert.NotEqual(0ul, info.Context);
            _volume.Close(@"\new.img", info);
        }
        else
        {
            Assert.Equal(0ul, info.Context); // a failed create gets no CloseFile, so nothing may be kept
            info.Dispose();
        }

        Assert.Equal(0, _volume.Dispatcher.OpenCount);
    }

    [Theory]
    [InlineData(Win32.Supersede, NtStatus.ObjectNameCollision, 0)]
    [InlineData(Win32.Open, NtStatus.Success, 5)]
    [InlineData(Win32.Create, NtStatus.ObjectNameCollision, 5)]
    [InlineData(Win32.OpenIf, NtStatus.ObjectNameCollision, 5)]
    [InlineData(Win32.Overwrite, NtStatus.Success, 0)]
    [InlineData(Win32.OverwriteIf, NtStatus.ObjectNameCollision, 0)]
    public void OnAnExistingFile_EachDisposition_OpensTruncatesOrRefuses(uint disposition, int expected, long sizeAfter)
    {
        File.WriteAllText(_volume.Backing("old.img"), "hello");

        var status = _volume.Create(@"\old.img", Win32.GenericRead | Win32.GenericWrite, disposition, out var info);

        Assert.Equal(expected, status);
        Assert.Equal(sizeAfter, new FileInfo(_volume.Backing("old.img")).Length);
        var opened = disposition != Win32.Create;
        Assert.Equal(opened, info.Context != 0);
        if (opened)
        {
            _volume.Close(@"\old.img", info);
        }
        else
        {
            info.Dispose();
        }

        Assert.Equal(0, _volume.Dispatcher.OpenCount);
    }

    [Fact]
    public void ADirectoryFile_CreatesADirectory_AndIsMarkedAsOne()
    {
        Assert.Equal(NtStatus.Success, _volume.Create(@"\vms", Win32.GenericRead, Win32.Create, out var info, Win32.DirectoryFile));
        Assert.True(info.IsDirectory);
        Assert.True(Directory.Exists(_volume.Backing("vms")));
        _volume.Close(@"\vms", info);

        Assert.Equal(NtStatus.Success, _volume.Create(@"\vms\disk.img", Win32.GenericWrite, Win32.Create, out var file));
        _volume.Close(@"\vms\disk.img", file);
        Assert.True(File.Exists(_volume.Backing("vms/disk.img")));
    }

    [Fact]
    public void ADirectoryOpenedWithoutEitherFlag_IsMarkedAsADirectory_AndAFileIsNot()
    {
        Directory.CreateDirectory(_volume.Backing("dir"));
        File.WriteAllText(_volume.Backing("file"), "x");

        var directory = _volume.Open(@"\dir", Win32.ReadAttributes);
        var file = _volume.Open(@"\file", Win32.ReadAttributes);

        Assert.True(directory.IsDirectory);
        Assert.False(file.IsDirectory);
        _volume.Close(@"\dir", directory);
        _volume.Close(@"\file", file);
    }

    [Fact]
    public void TheDirectoryFlags_RefuseTheWrongKind()
    {
        Directory.CreateDirectory(_volume.Backing("dir"));
        File.WriteAllText(_volume.Backing("file"), "x");

        Assert.Equal(NtStatus.NotADirectory, _volume.Create(@"\file", Win32.GenericRead, Win32.Open, out var a, Win32.DirectoryFile));
        Assert.Equal(NtStatus.FileIsADirectory, _volume.Create(@"\dir", Win32.GenericRead, Win32.Open, out var b, Win32.NonDirectoryFile));
        Assert.Equal(NtStatus.FileIsADirectory, _volume.Create(@"\dir", Win32.GenericWrite, Win32.Overwrite, out var c));
        a.Dispose();
        b.Dispose();
        c.Dispose();
        Assert.Equal(0, _volume.Dispatcher.OpenCount);
    }

    [Fact]
    public void AMissingDirectoryOnTheWay_IsAPathNotFound_AndAMissingFileANameNotFound()
    {
        Assert.Equal(NtStatus.ObjectPathNotFound, _volume.Create(@"\nowhere\file", Win32.GenericRead, Win32.Open, out var a));
        Assert.Equal(NtStatus.ObjectPathNotFound, _volume.Create(@"\nowhere\file", Win32.GenericWrite, Win32.Create, out var b));
        Assert.Equal(NtStatus.ObjectNameNotFound, _volume.Create(@"\file", Win32.GenericRead, Win32.Open, out var c));
        a.Dispose();
        b.Dispose();
        c.Dispose();
    }

    [Fact]
    public void DeleteOnClose_OfAReadOnlyFile_CannotDelete()
    {
        File.WriteAllText(_volume.Backing("locked"), "x");
        File.SetAttributes(_volume.Backing("locked"), FileAttributes.ReadOnly); // on Unix: no write bits

        Assert.Equal(NtStatus.CannotDelete, _volume.Create(@"\locked", Win32.Delete, Win32.Open, out var info, Win32.DeleteOnClose));
        info.Dispose();
        Assert.True(File.Exists(_volume.Backing("locked")));
    }

    [Fact]
    public void TheDataStream_IsTheFile_AndOtherStreamsAreRefused()
    {
        File.WriteAllText(_volume.Backing("a.txt"), "data");

        var data = _volume.Open(@"\a.txt::$DATA");
        Assert.Equal(NtStatus.Success, _volume.Read(@"\a.txt::$DATA", data, 0, 16, out var read));
        Assert.Equal("data", Encoding.ASCII.GetString(read));
        _volume.Close(@"\a.txt::$DATA", data);

        Assert.Equal(NtStatus.InvalidParameter, _volume.Create(@"\a.txt:secret", Win32.GenericWrite, Win32.OpenIf, out var stream));
        stream.Dispose();
    }

    [Fact]
    public void TheRoot_OpensAsADirectory()
    {
        var root = _volume.Open(@"\", Win32.GenericRead);
        Assert.True(root.IsDirectory);
        _volume.Close(@"\", root);
    }

    [Fact]
    public void ANewFileWithTheReadOnlyAttribute_HasNoWriteBits()
    {
        Assert.Equal(NtStatus.Success, _volume.Create(@"\ro.txt", Win32.GenericWrite, Win32.Create, out var info, attributes: Win32.AttributeReadOnly));
        _volume.Close(@"\ro.txt", info);
        Assert.True(File.GetAttributes(_volume.Backing("ro.txt")).HasFlag(FileAttributes.ReadOnly));
    }
}
