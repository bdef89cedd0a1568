using System.Text;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Tests.Dokan;

/// <summary>
/// ReadFile, WriteFile, FlushFileBuffers, SetEndOfFile and SetAllocationSize through the operations table: data lands
/// in the backing file, appends go to the end, paging I/O never extends a file, and an open lives until CloseFile
/// (paging I/O may come after Cleanup).
/// </summary>
public sealed unsafe class DokanDataTests : IDisposable
{
    private readonly CallbackVolume _volume = new();

    public void Dispose() => _volume.Dispose();

    [Fact]
    public void WhatIsWritten_IsInTheBackingFile_AndReadsBack()
    {
        var data = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();
        Assert.Equal(NtStatus.Success, _volume.Create(@"\disk.img", Win32.GenericRead | Win32.GenericWrite, Win32.Create, out var info));

        Assert.Equal(NtStatus.Success, _volume.Write(@"\disk.img", info, 0, data, out var written));
        Assert.Equal((uint)data.Length, written);
        Assert.Equal(NtStatus.Success, _volume.Read(@"\disk.img", info, 4096, 100, out var read));
        _volume.Close(@"\disk.img", info);

        Assert.Equal(data.AsSpan(4096, 100).ToArray(), read);
        Assert.Equal(data, File.ReadAllBytes(_volume.Backing("disk.img")));
    }

    [Fact]
    public void AReadAcrossTheEnd_IsShort_AndAReadAtTheEnd_IsEndOfFile()
    {
        File.WriteAllText(_volume.Backing("short.txt"), "0123456789");
        var info = _volume.Open(@"\short.txt");

        Assert.Equal(NtStatus.Success, _volume.Read(@"\short.txt", info, 6, 100, out var tail));
        Assert.Equal("6789", Encoding.ASCII.GetString(tail));
        Assert.Equal(NtStatus.EndOfFile, _volume.Read(@"\short.txt", info, 10, 100, out var none));
        Assert.Empty(none);
        _volume.Close(@"\short.txt", info);
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(false, -1)]
    public void AnAppend_LandsAtTheEnd_WhateverTheOffset(bool writeToEndOfFile, long offset)
    {
        File.WriteAllText(_volume.Backing("log.txt"), "first;");
        var info = _volume.Open(@"\log.txt", Win32.AppendData);
        info.WriteToEndOfFile = writeToEndOfFile;

        Assert.Equal(NtStatus.Success, _volume.Write(@"\log.txt", info, offset, "second;"u8.ToArray(), out var written));
        _volume.Close(@"\log.txt", info);

        Assert.Equal(7u, written);
        Assert.Equal("first;second;", File.ReadAllText(_volume.Backing("log.txt")));
    }

    [Fact]
    public void PagingWrites_NeverExtendTheFile_AndAreClampedAtItsEnd()
    {
        File.WriteAllBytes(_volume.Backing("mapped.bin"), new byte[6000]);
        var info = _volume.Open(@"\mapped.bin", Win32.GenericRead | Win32.GenericWrite);
        info.PagingIo = true;
        var page = Enumerable.Repeat((byte)0xAB, 4096).ToArray();

        Assert.Equal(NtStatus.Success, _volume.Write(@"\mapped.bin", info, 4096, page, out var straddling));
        Assert.Equal(NtStatus.Success, _volume.Write(@"\mapped.bin", info, 8192, page, out var beyond));
        _volume.Close(@"\mapped.bin", info);

        Assert.Equal(6000u - 4096, straddling);
        Assert.Equal(0u, beyond);
        var content = File.ReadAllBytes(_volume.Backing("mapped.bin"));
        Assert.Equal(6000, content.Length);
        Assert.All(content[4096..], b => Assert.Equal(0xAB, b));
    }

    [Fact]
    public void PagingIo_AfterCleanup_StillReachesTheFile_UntilCloseFile()
    {
        File.WriteAllBytes(_volume.Backing("lazy.bin"), new byte[4096]);
        var info = _volume.Open(@"\lazy.bin", Win32.GenericRead | Win32.GenericWrite);

        _volume.Cleanup(@"\lazy.bin", info);
        info.PagingIo = true;
        Assert.Equal(NtStatus.Success, _volume.Write(@"\lazy.bin", info, 0, "late"u8.ToArray(), out var written));
        Assert.Equal(1, _volume.Dispatcher.OpenCount);
        _volume.CloseFile(@"\lazy.bin", info);

        Assert.Equal(4u, written);
        Assert.Equal("late"u8.ToArray(), File.ReadAllBytes(_volume.Backing("lazy.bin"))[..4]);
        Assert.Equal(0, _volume.Dispatcher.OpenCount);
    }

    [Fact]
    public void AnOpenForAttributesOnly_GetsADataHandleWhenPagingIoArrives()
    {
        File.WriteAllText(_volume.Backing("attr.txt"), "abc");
        var info = _volume.Open(@"\attr.txt", Win32.ReadAttributes);

        Assert.Equal(NtStatus.Success, _volume.Read(@"\attr.txt", info, 0, 3, out var read));
        _volume.Close(@"\attr.txt", info);
        Assert.Equal("abc", Encoding.ASCII.GetString(read));
    }

    [Fact]
    public void Flush_Succeeds_AndTheDataIsInTheBackingFile()
    {
        Assert.Equal(NtStatus.Success, _volume.Create(@"\synced.img", Win32.GenericWrite, Win32.Create, out var info));
        Assert.Equal(NtStatus.Success, _volume.Write(@"\synced.img", info, 0, "durable"u8.ToArray(), out _));

        Assert.Equal(NtStatus.Success, _volume.Flush(@"\synced.img", info));
        Assert.Equal("durable", File.ReadAllText(_volume.Backing("synced.img")));
        _volume.Close(@"\synced.img", info);
    }

    [Fact]
    public void SetEndOfFile_Truncates_AndExtends()
    {
        File.WriteAllText(_volume.Backing("size.bin"), "0123456789");
        var info = _volume.Open(@"\size.bin", Win32.GenericWrite);

        Assert.Equal(NtStatus.Success, _volume.SetEndOfFile(@"\size.bin", info, 4));
        Assert.Equal(4, new FileInfo(_volume.Backing("size.bin")).Length);
        Assert.Equal(NtStatus.Success, _volume.SetEndOfFile(@"\size.bin", info, 1 << 20));
        Assert.Equal(1 << 20, new FileInfo(_volume.Backing("size.bin")).Length);
        _volume.Close(@"\size.bin", info);
    }

    [Fact]
    public void SetAllocationSize_OnlyEverShrinks()
    {
        File.WriteAllText(_volume.Backing("alloc.bin"), "0123456789");
        var info = _volume.Open(@"\alloc.bin", Win32.GenericWrite);

        Assert.Equal(NtStatus.Success, _volume.SetAllocationSize(@"\alloc.bin", info, 1 << 20));
        Assert.Equal(10, new FileInfo(_volume.Backing("alloc.bin")).Length);
        Assert.Equal(NtStatus.Success, _volume.SetAllocationSize(@"\alloc.bin", info, 3));
        Assert.Equal("012", File.ReadAllText(_volume.Backing("alloc.bin")));
        _volume.Close(@"\alloc.bin", info);
    }

    [Fact]
    public void DataCallsOnADirectory_AreInvalidDeviceRequests()
    {
        Directory.CreateDirectory(_volume.Backing("dir"));
        var info = _volume.Open(@"\dir");

        Assert.Equal(NtStatus.InvalidDeviceRequest, _volume.Read(@"\dir", info, 0, 10, out _));
        Assert.Equal(NtStatus.InvalidDeviceRequest, _volume.Write(@"\dir", info, 0, [1], out _));
        _volume.Close(@"\dir", info);
    }

    [Fact]
    public void AnUnknownContext_IsAnInvalidHandle()
    {
        using var stranger = new DokanFileInfoBlock(_volume.Options);
        stranger.Pointer->Context = 77;

        Assert.Equal(NtStatus.InvalidHandle, _volume.Read(@"\x", stranger, 0, 10, out _));
        Assert.Equal(NtStatus.InvalidHandle, _volume.Flush(@"\x", stranger));
    }
}
