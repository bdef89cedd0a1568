using System.Runtime.InteropServices;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Tests.Dokan;

/// <summary>GetFileInformation, SetFileAttributes, SetFileTime and the volume's own information.</summary>
public sealed unsafe class DokanAttributeTests : IDisposable
{
    private readonly CallbackVolume _volume = new();

    public void Dispose() => _volume.Dispose();

    [Fact]
    public void GetFileInformation_GivesSizeAttributesTimesAndTheVolumeSerial()
    {
        File.WriteAllBytes(_volume.Backing("disk.img"), new byte[70_000]);
        var written = new DateTime(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(_volume.Backing("disk.img"), written);
        var info = _volume.Open(@"\disk.img", Win32.ReadAttributes);

        Assert.Equal(NtStatus.Success, _volume.GetInformation(@"\disk.img", info, out var information));
        _volume.Close(@"\disk.img", info);

        Assert.Equal(70_000u, information.FileSizeLow);
        Assert.Equal(0u, information.FileSizeHigh);
        Assert.Equal(Win32.AttributeNormal, information.FileAttributes);
        Assert.Equal(written.ToFileTimeUtc(), information.LastWriteTime.Value);
        Assert.Equal(written.ToFileTimeUtc(), information.CreationTime.Value); // no birth time on POSIX: the modify time
        Assert.Equal(0x5EEDu, information.VolumeSerialNumber);
        Assert.Equal(1u, information.NumberOfLinks);
    }

    [Fact]
    public void ADirectory_HasTheDirectoryAttribute()
    {
        Directory.CreateDirectory(_volume.Backing("dir"));
        var info = _volume.Open(@"\dir", Win32.ReadAttributes);

        Assert.Equal(NtStatus.Success, _volume.GetInformation(@"\dir", info, out var information));
        _volume.Close(@"\dir", info);
        Assert.Equal(Win32.AttributeDirectory, information.FileAttributes & Win32.AttributeDirectory);
    }

    [Fact]
    public void TheReadOnlyAttribute_TakesAwayTheWriteBits_AndGivesThemBack()
    {
        File.WriteAllText(_volume.Backing("doc.txt"), "x");
        var info = _volume.Open(@"\doc.txt", Win32.ReadAttributes);

        Assert.Equal(NtStatus.Success, _volume.SetAttributes(@"\doc.txt", info, Win32.AttributeReadOnly));
        Assert.True(File.GetAttributes(_volume.Backing("doc.txt")).HasFlag(FileAttributes.ReadOnly));
        Assert.Equal(NtStatus.Success, _volume.GetInformation(@"\doc.txt", info, out var information));
        Assert.Equal(Win32.AttributeReadOnly, information.FileAttributes & Win32.AttributeReadOnly);

        Assert.Equal(NtStatus.Success, _volume.SetAttributes(@"\doc.txt", info, Win32.AttributeNormal));
        Assert.False(File.GetAttributes(_volume.Backing("doc.txt")).HasFlag(FileAttributes.ReadOnly));
        _volume.Close(@"\doc.txt", info);
    }

    [Fact]
    public void SetFileTime_SetsTheTimesGiven_AndKeepsTheOthers()
    {
        File.WriteAllText(_volume.Backing("t.txt"), "x");
        var accessed = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastAccessTimeUtc(_volume.Backing("t.txt"), accessed);
        var written = new DateTime(2020, 2, 29, 23, 59, 58, DateTimeKind.Utc).AddTicks(1234500);
        var info = _volume.Open(@"\t.txt", Win32.GenericWrite);

        Assert.Equal(NtStatus.Success, _volume.SetTimes(@"\t.txt", info, creation: null, lastAccess: null, lastWrite: written.ToFileTimeUtc()));
        _volume.Close(@"\t.txt", info);

        Assert.Equal(written, File.GetLastWriteTimeUtc(_volume.Backing("t.txt")));
        Assert.Equal(accessed, File.GetLastAccessTimeUtc(_volume.Backing("t.txt")));
    }

    [Fact]
    public void TheVolume_SaysNtfs_CasePreservingUnicode_WithItsLabelAndSerial()
    {
        var label = stackalloc char[33];
        var fileSystem = stackalloc char[33];
        uint serial, maxComponent, flags;
        using var info = new DokanFileInfoBlock(_volume.Options);

        var status = _volume.Operations->GetVolumeInformation(label, 33, &serial, &maxComponent, &flags, fileSystem, 33, info.Pointer);

        Assert.Equal(NtStatus.Success, status);
        Assert.Equal("ThrottleFs", MemoryMarshal.CreateReadOnlySpanFromNullTerminated(label).ToString());
        Assert.Equal("NTFS", MemoryMarshal.CreateReadOnlySpanFromNullTerminated(fileSystem).ToString());
        Assert.Equal(0x5EEDu, serial);
        Assert.Equal(255u, maxComponent);
        Assert.Equal(0x2u | 0x4u, flags);
    }

    [Fact]
    public void FreeSpace_IsTheBackingVolumes()
    {
        ulong available, total, free;
        using var info = new DokanFileInfoBlock(_volume.Options);

        Assert.Equal(NtStatus.Success, _volume.Operations->GetDiskFreeSpace(&available, &total, &free, info.Pointer));

        var drive = new DriveInfo(_volume.Folder);
        Assert.True(total > 0 && free <= total && available <= free);
        Assert.InRange((double)total, drive.TotalSize * 0.99, drive.TotalSize * 1.01);
    }

    [Fact]
    public void Mounted_ToldTheDispatcherWhereTheVolumeIs()
    {
        Assert.Equal(CallbackVolume.MountPoint, _volume.Dispatcher.MountPoint);
        Assert.Equal(200, _volume.Options->Version);
        Assert.Equal((uint)(DokanOptionFlags.AllowIpcBatching), _volume.Options->Options);
        Assert.Equal(60_000u, _volume.Options->Timeout);
        Assert.NotEqual(0ul, _volume.Options->GlobalContext);
        Assert.Equal(CallbackVolume.MountPoint, new string(_volume.Options->MountPoint));
    }
}
