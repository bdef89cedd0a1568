using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// Renames: the POSIX rules checked first (a directory replaces only an empty directory, a file only a file, nothing
/// moves into itself), then one move, then the node tree, so that the node and everything below it follow.
/// </summary>
public sealed partial class PortablePassthroughFileSystem
{
    /// <summary>
    /// rename(2), and renameat2's RENAME_NOREPLACE. RENAME_EXCHANGE (and RENAME_WHITEOUT) answer EINVAL: there is no
    /// portable atomic swap, and EINVAL is what renameat2 returns for a flag the filesystem does not support, which
    /// callers such as <c>mv --exchange</c> test for (EOPNOTSUPP would read as a failed rename). Replacing a directory
    /// takes two calls (remove the empty target, then move), since .NET refuses to move onto an existing directory;
    /// another program may see the name missing in between.
    /// </summary>
    public Errno Rename(ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, RenameFlags flags)
    {
        if ((flags & ~RenameFlags.NoReplace) != 0)
        {
            return Errno.EINVAL;
        }

        var error = FindExisting(parent, name, out var from, out var source);
        if (error != Errno.Success)
        {
            return error;
        }

        error = FindInWritableDirectory(newParent, newName, out var to, out var target, out var newText);
        return error != Errno.Success ? error : Move(from, source, to, target, newText, flags);
    }

    // The rename itself, once both names are found: the POSIX checks, the move, then the node tree.
    private Errno Move(PortableNode from, BackingEntry source, PortableNode to, BackingEntry target, string newText, RenameFlags flags)
    {
        // On a case-insensitive store the target may be the source itself under another spelling: a change of case.
        var sameEntry = from == to && source.Spelling == target.Spelling;
        if (sameEntry && source.Spelling == newText)
        {
            return Errno.Success;
        }

        var type = source.Type;
        var targetType = sameEntry ? 0 : target.Type;
        if (targetType != 0 && (flags & RenameFlags.NoReplace) != 0)
        {
            return Errno.EEXIST;
        }

        var error = CheckReplacement(type, targetType);
        if (error != Errno.Success)
        {
            return error;
        }

        // A replaced entry keeps the store's spelling (the only one that reaches it on a store that keeps case).
        var newSpelling = targetType != 0 ? target.Spelling : newText;
        var destination = targetType != 0 ? target.Path : Path.Join(Path.GetDirectoryName(target.Path), newText);
        var comparison = _caseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (type == FileModes.Directory && destination.StartsWith(source.Path + Path.DirectorySeparatorChar, comparison))
        {
            return Errno.EINVAL; // a directory moved into itself
        }

        try
        {
            if (targetType == FileModes.Directory)
            {
                if (!BackingListing.IsEmpty(target.Path))
                {
                    return Errno.ENOTEMPTY;
                }

                Directory.Delete(target.Path);
            }
            else if (targetType != 0 && OperatingSystem.IsWindows() && (target.Info.Attributes & FileAttributes.ReadOnly) != 0)
            {
                // POSIX replaces a name whatever the file's permissions; Windows refuses to replace a READONLY file.
                File.SetAttributes(target.Path, target.Info.Attributes & ~FileAttributes.ReadOnly);
            }

            if ((source.Info.Attributes & FileAttributes.Directory) != 0)
            {
                Directory.Move(source.Path, destination); // a directory, or a link to one (the link itself moves)
            }
            else
            {
                File.Move(source.Path, destination, overwrite: (flags & RenameFlags.NoReplace) == 0);
            }
        }
        catch (Exception e) when (BackingError.Is(e))
        {
            return BackingError.From(e);
        }

        _tree.Move(from, source.Spelling, to, newSpelling);
        return Errno.Success;
    }

    // What may replace what (0: nothing is replaced): a directory only an (empty) directory, anything else only what
    // is not a directory.
    private static Errno CheckReplacement(uint type, uint targetType) =>
        targetType == 0 ? Errno.Success
        : type == FileModes.Directory ? targetType == FileModes.Directory ? Errno.Success : Errno.ENOTDIR
        : targetType == FileModes.Directory ? Errno.EISDIR
        : Errno.Success;
}
