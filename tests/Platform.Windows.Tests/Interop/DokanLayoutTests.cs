using System.Runtime.InteropServices;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Tests.Interop;

/// <summary>
/// Every struct dokan2.dll and we exchange by pointer, checked against the x64 sizes and offsets of dokan.h,
/// sys/public.h and the Windows SDK (dokan-notes.md §1, fuse-notes.md §6; the Win32 structs were also compiled with
/// the MinGW-w64 headers). A wrong field here would not fail loudly on Windows: it would read the neighbour's bytes.
/// The numbers are for a 64-bit process, the only kind the host runs as.
/// </summary>
public sealed unsafe class DokanLayoutTests
{
    [Fact]
    public void StructSizesMatchTheNativeX64Sizes()
    {
        Assert.Equal(16432, sizeof(DokanOptions));
        Assert.Equal(48, sizeof(DokanFileInfo));
        Assert.Equal(200, sizeof(DokanOperations));
        Assert.Equal(64, sizeof(DokanAccessState));
        Assert.Equal(72, sizeof(DokanIoSecurityContext));
        Assert.Equal(16, sizeof(UnicodeString));
        Assert.Equal(592, sizeof(Win32FindData));
        Assert.Equal(52, sizeof(ByHandleFileInformation));
        Assert.Equal(600, sizeof(Win32FindStreamData));
        Assert.Equal(8, sizeof(FileTime));
    }

    [Fact]
    public void MarshalSeesTheSameSizesAsTheRuntime()
    {
        // These structs are blittable, so the marshalled and the in-memory layouts must be one and the same.
        Assert.Equal(sizeof(DokanOptions), Marshal.SizeOf<DokanOptions>());
        Assert.Equal(sizeof(DokanFileInfo), Marshal.SizeOf<DokanFileInfo>());
        Assert.Equal(sizeof(DokanIoSecurityContext), Marshal.SizeOf<DokanIoSecurityContext>());
        Assert.Equal(sizeof(Win32FindData), Marshal.SizeOf<Win32FindData>());
        Assert.Equal(sizeof(ByHandleFileInformation), Marshal.SizeOf<ByHandleFileInformation>());
        Assert.Equal(sizeof(Win32FindStreamData), Marshal.SizeOf<Win32FindStreamData>());
    }

    public static TheoryData<Type, string, int> FieldOffsets => new()
    {
        { typeof(DokanOptions), nameof(DokanOptions.Version), 0 },
        { typeof(DokanOptions), nameof(DokanOptions.SingleThread), 2 },
        { typeof(DokanOptions), nameof(DokanOptions.Options), 4 },
        { typeof(DokanOptions), nameof(DokanOptions.GlobalContext), 8 },
        { typeof(DokanOptions), nameof(DokanOptions.MountPoint), 16 },
        { typeof(DokanOptions), nameof(DokanOptions.UncName), 24 },
        { typeof(DokanOptions), nameof(DokanOptions.Timeout), 32 },
        { typeof(DokanOptions), nameof(DokanOptions.AllocationUnitSize), 36 },
        { typeof(DokanOptions), nameof(DokanOptions.SectorSize), 40 },
        { typeof(DokanOptions), nameof(DokanOptions.VolumeSecurityDescriptorLength), 44 },
        { typeof(DokanOptions), nameof(DokanOptions.VolumeSecurityDescriptor), 48 },

        { typeof(DokanFileInfo), nameof(DokanFileInfo.Context), 0 },
        { typeof(DokanFileInfo), nameof(DokanFileInfo.DokanContext), 8 },
        { typeof(DokanFileInfo), nameof(DokanFileInfo.DokanOptions), 16 },
        { typeof(DokanFileInfo), nameof(DokanFileInfo.ProcessingContext), 24 },
        { typeof(DokanFileInfo), nameof(DokanFileInfo.ProcessId), 32 },
        { typeof(DokanFileInfo), nameof(DokanFileInfo.IsDirectory), 36 },
        { typeof(DokanFileInfo), nameof(DokanFileInfo.DeletePending), 37 },
        { typeof(DokanFileInfo), nameof(DokanFileInfo.PagingIo), 38 },
        { typeof(DokanFileInfo), nameof(DokanFileInfo.SynchronousIo), 39 },
        { typeof(DokanFileInfo), nameof(DokanFileInfo.Nocache), 40 },
        { typeof(DokanFileInfo), nameof(DokanFileInfo.WriteToEndOfFile), 41 },

        { typeof(DokanAccessState), nameof(DokanAccessState.SecurityEvaluated), 0 },
        { typeof(DokanAccessState), nameof(DokanAccessState.AuditPrivileges), 3 },
        { typeof(DokanAccessState), nameof(DokanAccessState.Flags), 4 },
        { typeof(DokanAccessState), nameof(DokanAccessState.RemainingDesiredAccess), 8 },
        { typeof(DokanAccessState), nameof(DokanAccessState.PreviouslyGrantedAccess), 12 },
        { typeof(DokanAccessState), nameof(DokanAccessState.OriginalDesiredAccess), 16 },
        { typeof(DokanAccessState), nameof(DokanAccessState.SecurityDescriptor), 24 },
        { typeof(DokanAccessState), nameof(DokanAccessState.ObjectName), 32 },
        { typeof(DokanAccessState), nameof(DokanAccessState.ObjectType), 48 },

        { typeof(DokanIoSecurityContext), nameof(DokanIoSecurityContext.AccessState), 0 },
        { typeof(DokanIoSecurityContext), nameof(DokanIoSecurityContext.DesiredAccess), 64 },

        { typeof(UnicodeString), nameof(UnicodeString.Length), 0 },
        { typeof(UnicodeString), nameof(UnicodeString.MaximumLength), 2 },
        { typeof(UnicodeString), nameof(UnicodeString.Buffer), 8 },

        { typeof(Win32FindData), nameof(Win32FindData.FileAttributes), 0 },
        { typeof(Win32FindData), nameof(Win32FindData.CreationTime), 4 },
        { typeof(Win32FindData), nameof(Win32FindData.LastAccessTime), 12 },
        { typeof(Win32FindData), nameof(Win32FindData.LastWriteTime), 20 },
        { typeof(Win32FindData), nameof(Win32FindData.FileSizeHigh), 28 },
        { typeof(Win32FindData), nameof(Win32FindData.FileSizeLow), 32 },
        { typeof(Win32FindData), nameof(Win32FindData.Reserved0), 36 },
        { typeof(Win32FindData), nameof(Win32FindData.Reserved1), 40 },
        { typeof(Win32FindData), nameof(Win32FindData.FileName), 44 },
        { typeof(Win32FindData), nameof(Win32FindData.AlternateFileName), 564 },

        { typeof(ByHandleFileInformation), nameof(ByHandleFileInformation.FileAttributes), 0 },
        { typeof(ByHandleFileInformation), nameof(ByHandleFileInformation.CreationTime), 4 },
        { typeof(ByHandleFileInformation), nameof(ByHandleFileInformation.LastAccessTime), 12 },
        { typeof(ByHandleFileInformation), nameof(ByHandleFileInformation.LastWriteTime), 20 },
        { typeof(ByHandleFileInformation), nameof(ByHandleFileInformation.VolumeSerialNumber), 28 },
        { typeof(ByHandleFileInformation), nameof(ByHandleFileInformation.FileSizeHigh), 32 },
        { typeof(ByHandleFileInformation), nameof(ByHandleFileInformation.FileSizeLow), 36 },
        { typeof(ByHandleFileInformation), nameof(ByHandleFileInformation.NumberOfLinks), 40 },
        { typeof(ByHandleFileInformation), nameof(ByHandleFileInformation.FileIndexHigh), 44 },
        { typeof(ByHandleFileInformation), nameof(ByHandleFileInformation.FileIndexLow), 48 },

        { typeof(Win32FindStreamData), nameof(Win32FindStreamData.StreamSize), 0 },
        { typeof(Win32FindStreamData), nameof(Win32FindStreamData.StreamName), 8 },

        { typeof(FileTime), nameof(FileTime.Low), 0 },
        { typeof(FileTime), nameof(FileTime.High), 4 },
    };

    [Theory]
    [MemberData(nameof(FieldOffsets))]
    public void FieldSitsAtItsNativeOffset(Type structType, string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf(structType, field));

    [Fact]
    public void OptionsFieldsSitAtTheirOffsetsInMemory()
    {
        // Marshal.OffsetOf describes the marshalled copy; dokan2.dll reads our native memory, so measure that too.
        DokanOptions options;
        var start = (byte*)&options;
        Assert.Equal(32, (byte*)&options.Timeout - start);
        Assert.Equal(44, (byte*)&options.VolumeSecurityDescriptorLength - start);
        Assert.Equal(48, options.VolumeSecurityDescriptor - start);
        Assert.Equal(16384, DokanOptions.VolumeSecurityDescriptorMaxSize);
    }

    [Fact]
    public void FileInfoFieldsSitAtTheirOffsetsInMemory()
    {
        DokanFileInfo info;
        var start = (byte*)&info;
        Assert.Equal(32, (byte*)&info.ProcessId - start);
        Assert.Equal(36, &info.IsDirectory - start);
        Assert.Equal(41, &info.WriteToEndOfFile - start);
    }

    [Fact]
    public void FindDataNamesSitAtTheirOffsetsInMemory()
    {
        Win32FindData data;
        var start = (byte*)&data;
        Assert.Equal(44, (byte*)data.FileName - start);
        Assert.Equal(564, (byte*)data.AlternateFileName - start);
        Assert.Equal(260, Win32FindData.MaxPath);
    }

    [Fact]
    public void OperationsAreTheTwentyFivePointersInDokanHOrder()
    {
        DokanOperations operations;
        var start = (byte*)&operations;
        var entries = new[]
        {
            (byte*)&operations.ZwCreateFile, (byte*)&operations.Cleanup, (byte*)&operations.CloseFile,
            (byte*)&operations.ReadFile, (byte*)&operations.WriteFile, (byte*)&operations.FlushFileBuffers,
            (byte*)&operations.GetFileInformation, (byte*)&operations.FindFiles, (byte*)&operations.FindFilesWithPattern,
            (byte*)&operations.SetFileAttributes, (byte*)&operations.SetFileTime, (byte*)&operations.DeleteFile,
            (byte*)&operations.DeleteDirectory, (byte*)&operations.MoveFile, (byte*)&operations.SetEndOfFile,
            (byte*)&operations.SetAllocationSize, (byte*)&operations.LockFile, (byte*)&operations.UnlockFile,
            (byte*)&operations.GetDiskFreeSpace, (byte*)&operations.GetVolumeInformation, (byte*)&operations.Mounted,
            (byte*)&operations.Unmounted, (byte*)&operations.GetFileSecurity, (byte*)&operations.SetFileSecurity,
            (byte*)&operations.FindStreams,
        };

        Assert.Equal(25, entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            Assert.Equal(8 * i, entries[i] - start);
        }
    }

    public static TheoryData<uint, uint> OptionFlagValues => new()
    {
        { (uint)DokanOptionFlags.None, 0 },
        { (uint)DokanOptionFlags.DebugMode, 1 },
        { (uint)DokanOptionFlags.Stderr, 2 },
        { (uint)DokanOptionFlags.AltStream, 4 },
        { (uint)DokanOptionFlags.WriteProtect, 8 },
        { (uint)DokanOptionFlags.Network, 16 },
        { (uint)DokanOptionFlags.Removable, 32 },
        { (uint)DokanOptionFlags.MountManager, 64 },
        { (uint)DokanOptionFlags.CurrentSession, 128 },
        { (uint)DokanOptionFlags.FileLockUserMode, 256 },
        { (uint)DokanOptionFlags.CaseSensitive, 512 },
        { (uint)DokanOptionFlags.EnableUnmountNetworkDrive, 1024 },
        { (uint)DokanOptionFlags.DispatchDriverLogs, 2048 },
        { (uint)DokanOptionFlags.AllowIpcBatching, 4096 },
    };

    [Theory]
    [MemberData(nameof(OptionFlagValues))]
    public void OptionFlagHasItsV2Value(uint flag, uint value) => Assert.Equal(value, flag);

    [Fact]
    public void OptionFlagsNameEveryV2Bit() =>
        Assert.Equal(14, Enum.GetValues<DokanOptionFlags>().Length);

    public static TheoryData<int, uint> NtStatusValues => new()
    {
        // Each constant against its ntstatus.h value (STATUS_*), checked by compiling against the MinGW-w64 header.
        { NtStatus.Success, 0x00000000 },
        { NtStatus.DeviceBusy, 0x80000011 },
        { NtStatus.Unsuccessful, 0xC0000001 },
        { NtStatus.NotImplemented, 0xC0000002 },
        { NtStatus.AccessViolation, 0xC0000005 },
        { NtStatus.InvalidHandle, 0xC0000008 },
        { NtStatus.InvalidParameter, 0xC000000D },
        { NtStatus.NoSuchDevice, 0xC000000E },
        { NtStatus.InvalidDeviceRequest, 0xC0000010 },
        { NtStatus.EndOfFile, 0xC0000011 },
        { NtStatus.AccessDenied, 0xC0000022 },
        { NtStatus.BufferTooSmall, 0xC0000023 },
        { NtStatus.ObjectNameInvalid, 0xC0000033 },
        { NtStatus.ObjectNameNotFound, 0xC0000034 },
        { NtStatus.ObjectNameCollision, 0xC0000035 },
        { NtStatus.ObjectPathNotFound, 0xC000003A },
        { NtStatus.SharingViolation, 0xC0000043 },
        { NtStatus.LockNotGranted, 0xC0000055 },
        { NtStatus.DeletePending, 0xC0000056 },
        { NtStatus.DiskFull, 0xC000007F },
        { NtStatus.InsufficientResources, 0xC000009A },
        { NtStatus.MediaWriteProtected, 0xC00000A2 },
        { NtStatus.IoTimeout, 0xC00000B5 },
        { NtStatus.FileIsADirectory, 0xC00000BA },
        { NtStatus.NotSupported, 0xC00000BB },
        { NtStatus.NotSameDevice, 0xC00000D4 },
        { NtStatus.InternalError, 0xC00000E5 },
        { NtStatus.DirectoryNotEmpty, 0xC0000101 },
        { NtStatus.NotADirectory, 0xC0000103 },
        { NtStatus.NameTooLong, 0xC0000106 },
        { NtStatus.TooManyOpenedFiles, 0xC000011F },
        { NtStatus.Cancelled, 0xC0000120 },
        { NtStatus.CannotDelete, 0xC0000121 },
        { NtStatus.IoDeviceError, 0xC0000185 },
        { NtStatus.ConnectionInvalid, 0xC000023A },
        { NtStatus.ConnectionAborted, 0xC0000241 },
        { NtStatus.TooManyLinks, 0xC0000265 },
        { NtStatus.ReparsePointNotResolved, 0xC0000280 },
        { NtStatus.FileTooLarge, 0xC0000904 },
    };

    [Theory]
    [MemberData(nameof(NtStatusValues))]
    public void NtStatusConstantHasItsNtStatusHValue(int constant, uint value) => Assert.Equal(value, (uint)constant);
}
