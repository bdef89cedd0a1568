using ThrottleFs.FileSystem;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>GetDiskFreeSpace, GetVolumeInformation, Mounted and Unmounted.</summary>
internal sealed unsafe partial class DokanDispatcher
{
    // FILE_CASE_SENSITIVE_SEARCH, FILE_CASE_PRESERVED_NAMES, FILE_UNICODE_ON_DISK (winnt.h).
    private const uint CaseSensitiveSearch = 0x1, CasePreservedNames = 0x2, UnicodeOnDisk = 0x4;

    /// <summary>The backing volume's space. Without it, NOT_IMPLEMENTED lets dokan2 report its own default.</summary>
    public int GetDiskFreeSpace(ulong* freeBytesAvailable, ulong* totalBytes, ulong* totalFreeBytes)
    {
        if (_fs.GetVolumeStatistics(FileSystemIds.Root, out var statistics) != Errno.Success)
        {
            return NtStatus.NotImplemented;
        }

        // statvfs counts blocks in fragment-size units; filesystems that leave it 0 mean the block size.
        ulong unit = statistics.FragmentSize != 0 ? statistics.FragmentSize : statistics.BlockSize;
        *freeBytesAvailable = statistics.BlocksAvailable * unit;
        *totalBytes = statistics.Blocks * unit;
        *totalFreeBytes = statistics.BlocksFree * unit;
        return NtStatus.Success;
    }

    /// <summary>The label, serial number, name limits, flags and file system name (sizes are in WCHARs).</summary>
    public int GetVolumeInformation(char* volumeName, uint volumeNameSize, uint* serialNumber, uint* maxComponentLength, uint* fileSystemFlags, char* fileSystemName, uint fileSystemNameSize)
    {
        Copy(_volume.Label, volumeName, volumeNameSize);
        Copy(DokanVolume.FileSystemName, fileSystemName, fileSystemNameSize);
        *serialNumber = _volume.SerialNumber;
        *maxComponentLength = DokanVolume.MaxComponentLength;
        *fileSystemFlags = CasePreservedNames | UnicodeOnDisk | (_volume.CaseSensitive ? CaseSensitiveSearch : 0);
        return NtStatus.Success;

        static void Copy(string text, char* target, uint size)
        {
            if (target is null || size == 0)
            {
                return;
            }

            var length = (int)Math.Min((uint)text.Length, size - 1);
            text.AsSpan(0, length).CopyTo(new Span<char>(target, length));
            target[length] = '\0';
        }
    }

    /// <summary>Mounted: the volume is up, at <paramref name="mountPoint"/>.</summary>
    public int OnMounted(char* mountPoint)
    {
        MountPoint = PathOf(mountPoint).ToString();
        Mounted?.Invoke(MountPoint);
        return NtStatus.Success;
    }

    /// <summary>Unmounted: the volume is gone.</summary>
    public int OnUnmounted()
    {
        Unmounted?.Invoke();
        return NtStatus.Success;
    }
}
