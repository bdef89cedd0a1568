using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// A single file mounted onto a directory (<see cref="SourceLayout.FileInDirectory"/>): the root is a directory of
/// ours, with no descriptor, whose only entry is the file under its own name; the file is reached through its real
/// parent directory, which also lends the root its attributes. (A file mounted onto a file is simply the root.)
/// </summary>
internal sealed partial class PassthroughFileSystem
{
    private readonly byte[]? _singleName;
    private readonly int _singleParentFd = -1;

    // The directory to look a name up in when the parent is our made-up root: only the file's own name is there.
    private bool TrySingleFileParent(ReadOnlySpan<byte> name, out int parentFd)
    {
        parentFd = _singleParentFd;
        return _singleName is not null && name.SequenceEqual(_singleName);
    }

    private Errno ReadSingleFileDirectory(long offset, IDirectoryWriter writer)
    {
        const byte DirectoryType = 4;
        if (offset < 1 && !Emit(-1, writer, "."u8, FileSystemIds.Root, DirectoryType, 1))
        {
            return Errno.Success;
        }

        if (offset < 2 && !Emit(-1, writer, ".."u8, FileSystemIds.Root, DirectoryType, 2))
        {
            return Errno.Success;
        }

        if (offset < 3 && Lookup(FileSystemIds.Root, _singleName, out var entry) == Errno.Success)
        {
            var type = FileModes.EntryType(entry.Attributes.Mode);
            if (writer.WantsAttributes)
            {
                if (!writer.TryAdd(_singleName, entry.Attributes.Inode, type, 3, entry))
                {
                    Forget(entry.Node, 1);
                }
            }
            else
            {
                Forget(entry.Node, 1);
                writer.TryAdd(_singleName, entry.Attributes.Inode, type, 3, default);
            }
        }

        return Errno.Success;
    }
}
