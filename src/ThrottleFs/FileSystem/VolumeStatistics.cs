namespace ThrottleFs.FileSystem;

/// <summary>What <c>statfs</c> reports about the backing volume.</summary>
public readonly record struct VolumeStatistics(
    ulong Blocks,
    ulong BlocksFree,
    ulong BlocksAvailable,
    ulong Files,
    ulong FilesFree,
    uint BlockSize,
    uint NameMax,
    uint FragmentSize);
