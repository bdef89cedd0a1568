using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Splicing;

/// <summary>
/// A read's destination that can take a backing file's bytes by reference instead of having them copied in: the
/// memory a FUSE READ is answered from, when the answer can be spliced to the device. The memory of a destination
/// (<see cref="System.Buffers.MemoryManager{T}"/>) implements it; a filesystem that reads through the page cache offers
/// it the range first and reads into the memory as usual when it declines. Platform-neutral filesystems never see it.
/// </summary>
internal interface ISpliceTarget
{
    /// <summary>
    /// Takes up to <paramref name="length"/> bytes of <paramref name="fd"/> from <paramref name="offset"/>, as a read
    /// of them would (fewer at the end of the file). False when it cannot, having taken nothing.
    /// </summary>
    bool TrySplice(int fd, long offset, int length, out IoResult result);
}
