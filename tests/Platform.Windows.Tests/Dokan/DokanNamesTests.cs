using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Tests.Dokan;

/// <summary>
/// FindFiles, DeleteFile and DeleteDirectory (which only check: the delete happens at Cleanup when it is still
/// pending), and MoveFile with and without replace, through the operations table.
/// </summary>
public sealed unsafe class DokanNamesTests : IDisposable
{
    private readonly CallbackVolume _volume = new();

    public void Dispose() => _volume.Dispose();

    [Fact]
    public void FindFiles_ListsEveryEntry_WithItsAttributesAndSize_AndNoDots()
    {
        File.WriteAllBytes(_volume.Backing("a.img"), new byte[12345]);
        Directory.CreateDirectory(_volume.Backing("sub"));
        File.WriteAllText(_volume.Backing("sub/inner.txt"), "x");
        var root = _volume.Open(@"\");

        Assert.Equal(NtStatus.Success, _volume.Find(@"\", root, out var entries));
        _volume.Close(@"\", root);

        Assert.Contains("a.img", entries.Keys);
        Assert.Contains("sub", entries.Keys);
        Assert.DoesNotContain(".", entries.Keys);
        Assert.DoesNotContain("..", entries.Keys);
        Assert.DoesNotContain("inner.txt", entries.Keys);
        Assert.Equal(12345u, entries["a.img"].FileSizeLow);
        Assert.Equal(0u, entries["a.img"].FileAttributes & Win32.AttributeDirectory);
        Assert.Equal(Win32.AttributeDirectory, entries["sub"].FileAttributes & Win32.AttributeDirectory);
        var written = new DateTimeOffset(File.GetLastWriteTimeUtc(_volume.Backing("a.img"))).ToFileTime();
        Assert.Equal(written, entries["a.img"].LastWriteTime.Value);
        Assert.Equal(0, _volume.Dispatcher.OpenCount);
    }

    [Fact]
    public void FindFiles_OfALargeDirectory_ListsAll()
    {
        Directory.CreateDirectory(_volume.Backing("many"));
        for (var i = 0; i < 1500; i++)
        {
            File.WriteAllText(_volume.Backing($"many/f{i:D4}"), "");
        }

        var directory = _volume.Open(@"\many");
        Assert.Equal(NtStatus.Success, _volume.Find(@"\many", directory, out var entries));
        _volume.Close(@"\many", directory);

        Assert.Equal(1500, entries.Count);
    }

    [Fact]
    public void ADeletePending_AtCleanup_RemovesTheFile()
    {
        File.WriteAllText(_volume.Backing("doomed"), "x");
        var info = _volume.Open(@"\doomed", Win32.Delete);

        info.DeletePending = true; // dokan2 marks the open, then asks whether the delete may be
        Assert.Equal(NtStatus.Success, _volume.DeleteFile(@"\doomed", info));
        Assert.True(File.Exists(_volume.Backing("doomed"))); // only checked so far
        _volume.Close(@"\doomed", info);

        Assert.False(File.Exists(_volume.Backing("doomed")));
    }

    [Fact]
    public void AnUndoneDelete_LeavesTheFile()
    {
        File.WriteAllText(_volume.Backing("kept"), "x");
        var info = _volume.Open(@"\kept", Win32.Delete);

        info.DeletePending = true;
        Assert.Equal(NtStatus.Success, _volume.DeleteFile(@"\kept", info));
        info.DeletePending = false; // the application cleared FILE_DISPOSITION_DELETE again
        Assert.Equal(NtStatus.Success, _volume.DeleteFile(@"\kept", info));
        _volume.Close(@"\kept", info);

        Assert.True(File.Exists(_volume.Backing("kept")));
    }

    [Fact]
    public void DeleteDirectory_OfANonEmptyDirectory_IsRefused_AndOfAnEmptyOneDoneAtCleanup()
    {
        Directory.CreateDirectory(_volume.Backing("full"));
        File.WriteAllText(_volume.Backing("full/file"), "x");
        Directory.CreateDirectory(_volume.Backing("empty"));

        var full = _volume.Open(@"\full", Win32.Delete);
        full.DeletePending = true;
        Assert.Equal(NtStatus.DirectoryNotEmpty, _volume.DeleteDirectory(@"\full", full));
        full.DeletePending = false; // dokan2 takes a refused delete back
        _volume.Close(@"\full", full);

        var empty = _volume.Open(@"\empty", Win32.Delete);
        empty.DeletePending = true;
        Assert.Equal(NtStatus.Success, _volume.DeleteDirectory(@"\empty", empty));
        _volume.Close(@"\empty", empty);

        Assert.True(Directory.Exists(_volume.Backing("full")));
        Assert.False(Directory.Exists(_volume.Backing("empty")));
    }

    [Fact]
    public void ADirectoryListedThenEmptied_MayBeDeletedThroughTheOpenThatListedIt()
    {
        Directory.CreateDirectory(_volume.Backing("tree"));
        File.WriteAllText(_volume.Backing("tree/leaf"), "x");
        var directory = _volume.Open(@"\tree", Win32.GenericRead | Win32.Delete);
        Assert.Equal(NtStatus.Success, _volume.Find(@"\tree", directory, out var entries));
        Assert.Contains("leaf", entries.Keys);

        var leaf = _volume.Open(@"\tree\leaf", Win32.Delete);
        leaf.DeletePending = true;
        Assert.Equal(NtStatus.Success, _volume.DeleteFile(@"\tree\leaf", leaf));
        _volume.Close(@"\tree\leaf", leaf);

        directory.DeletePending = true;
        Assert.Equal(NtStatus.Success, _volume.DeleteDirectory(@"\tree", directory));
        _volume.Close(@"\tree", directory);
        Assert.False(Directory.Exists(_volume.Backing("tree")));
    }

    [Fact]
    public void DeleteFile_OfAReadOnlyFile_CannotDelete()
    {
        File.WriteAllText(_volume.Backing("ro"), "x");
        File.SetAttributes(_volume.Backing("ro"), FileAttributes.ReadOnly);
        var info = _volume.Open(@"\ro", Win32.Delete);

        info.DeletePending = true;
        Assert.Equal(NtStatus.CannotDelete, _volume.DeleteFile(@"\ro", info));
        info.DeletePending = false;
        _volume.Close(@"\ro", info);
    }

    [Fact]
    public void MoveFile_WithoutReplace_RefusesAnExistingTarget_AndWithReplaceReplacesIt()
    {
        File.WriteAllText(_volume.Backing("from"), "new");
        File.WriteAllText(_volume.Backing("to"), "old");
        var info = _volume.Open(@"\from", Win32.Delete);

        Assert.Equal(NtStatus.ObjectNameCollision, _volume.Move(@"\from", @"\to", replace: false, info));
        Assert.Equal("old", File.ReadAllText(_volume.Backing("to")));
        Assert.Equal(NtStatus.Success, _volume.Move(@"\from", @"\to", replace: true, info));
        _volume.Close(@"\to", info);

        Assert.False(File.Exists(_volume.Backing("from")));
        Assert.Equal("new", File.ReadAllText(_volume.Backing("to")));
    }

    [Fact]
    public void MoveFile_IntoADirectory_AndToAMissingOne()
    {
        File.WriteAllText(_volume.Backing("disk.img"), "x");
        Directory.CreateDirectory(_volume.Backing("vms"));
        var info = _volume.Open(@"\disk.img", Win32.Delete);

        Assert.Equal(NtStatus.ObjectPathNotFound, _volume.Move(@"\disk.img", @"\nowhere\disk.img", replace: false, info));
        Assert.Equal(NtStatus.Success, _volume.Move(@"\disk.img", @"\vms\disk.img", replace: false, info));
        _volume.Close(@"\vms\disk.img", info);

        Assert.True(File.Exists(_volume.Backing("vms/disk.img")));
    }

    [Fact]
    public void MoveFile_OntoADirectory_IsAccessDenied_EvenWithReplace()
    {
        File.WriteAllText(_volume.Backing("file"), "x");
        Directory.CreateDirectory(_volume.Backing("dir"));
        var info = _volume.Open(@"\file", Win32.Delete);

        Assert.Equal(NtStatus.AccessDenied, _volume.Move(@"\file", @"\dir", replace: true, info));
        _volume.Close(@"\file", info);
        Assert.True(File.Exists(_volume.Backing("file")));
    }

    [Fact]
    public void AnOpenFile_KeepsWorkingAfterItsRename()
    {
        Assert.Equal(NtStatus.Success, _volume.Create(@"\before", Win32.GenericRead | Win32.GenericWrite, Win32.Create, out var info));
        Assert.Equal(NtStatus.Success, _volume.Move(@"\before", @"\after", replace: false, info));

        Assert.Equal(NtStatus.Success, _volume.Write(@"\after", info, 0, "moved"u8.ToArray(), out _));
        _volume.Close(@"\after", info);
        Assert.Equal("moved", File.ReadAllText(_volume.Backing("after")));
    }
}
