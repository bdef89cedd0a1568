using ThrottleFs.FileSystem;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>FindFiles, DeleteFile, DeleteDirectory and MoveFile.</summary>
internal sealed unsafe partial class DokanDispatcher
{
    /// <summary>
    /// FindFiles: every entry of the directory, with attributes. dokan2 keeps the list per handle, matches the
    /// search pattern (FindFilesWithPattern is left out on purpose), pages it out and adds "." and "..".
    /// </summary>
    public int FindFiles(delegate* unmanaged[Stdcall]<Win32FindData*, DokanFileInfo*, int> fill, DokanFileInfo* info)
    {
        if (Find(info) is not { } open)
        {
            return NtStatus.InvalidHandle;
        }

        if (!open.IsDirectory)
        {
            return NtStatus.NotADirectory;
        }

        var error = DataHandle(open, writing: false, info, out var handle);
        if (error != Errno.Success)
        {
            return ErrnoStatus.From(error);
        }

        var writer = new FindFilesWriter(_fs);
        writer.Start(fill, info);
        var offset = 0L;
        do
        {
            writer.NextBatch();
            error = _fs.ReadDirectory(handle, offset, writer);
            offset = writer.NextOffset;
        }
        while (error == Errno.Success && writer.Seen > 0);

        if (writer.Skipped > 0)
        {
            Log.Debug("Left {Count} names out of a listing: not valid UTF-8, or longer than Windows shows", writer.Skipped);
        }

        return ErrnoStatus.From(error);
    }

    /// <summary>
    /// DeleteFile: may the file go? The delete itself happens at Cleanup, and DeleteFile also comes when the caller
    /// takes the delete back (DeletePending 0), which always may.
    /// </summary>
    public int DeleteFile(DokanFileInfo* info)
    {
        if (Find(info) is not { } open)
        {
            return NtStatus.InvalidHandle;
        }

        if (info->DeletePending == 0)
        {
            return NtStatus.Success;
        }

        var error = _fs.GetAttributes(open.Node, HandleOf(open), out var attributes);
        return error != Errno.Success ? ErrnoStatus.From(error)
            : attributes.IsDirectory ? NtStatus.AccessDenied
            : WindowsAttributes.IsReadOnly(attributes) ? NtStatus.CannotDelete
            : NtStatus.Success;
    }

    /// <summary>DeleteDirectory: only an empty directory may go (Cleanup removes it).</summary>
    public int DeleteDirectory(DokanFileInfo* info)
    {
        if (Find(info) is not { } open)
        {
            return NtStatus.InvalidHandle;
        }

        if (info->DeletePending == 0)
        {
            return NtStatus.Success;
        }

        if (open.Node == FileSystemIds.Root)
        {
            return NtStatus.AccessDenied;
        }

        // A listing of its own, not the open's: that one may be from before the entries were deleted (rd /s lists a
        // directory, deletes what it found through other opens, then deletes the directory).
        var error = _fs.OpenDirectory(open.Node, out var listing);
        if (error != Errno.Success)
        {
            return ErrnoStatus.From(error);
        }

        var probe = new EmptinessProbe();
        error = _fs.ReadDirectory(listing.Handle, 0, probe);
        _fs.ReleaseDirectory(listing.Handle);
        return error != Errno.Success ? ErrnoStatus.From(error) : probe.FoundEntry ? NtStatus.DirectoryNotEmpty : NtStatus.Success;
    }

    /// <summary>
    /// MoveFile: a rename, replacing the target only when asked. A case-only rename on a case-insensitive volume
    /// names the file itself as the target, and must not count as a collision.
    /// </summary>
    public int MoveFile(char* existingName, char* newName, bool replaceIfExisting, DokanFileInfo* info)
    {
        if (Find(info) is not { } open)
        {
            return NtStatus.InvalidHandle;
        }

        var target = PathOf(newName);
        if (target.IndexOf(':') >= 0)
        {
            return NtStatus.NotSupported; // renaming a stream
        }

        Span<byte> from = stackalloc byte[MaxNameBytes];
        Span<byte> to = stackalloc byte[MaxNameBytes];
        var error = WalkToParent(PathOf(existingName), from, out var fromParent, out var fromLength);
        if (error != Errno.Success)
        {
            return ErrnoStatus.FromOpen(error, parentMissing: true);
        }

        try
        {
            error = WalkToParent(target, to, out var toParent, out var toLength);
            if (error != Errno.Success)
            {
                return error is Errno.ENOENT or Errno.ENOTDIR ? NtStatus.ObjectPathNotFound : ErrnoStatus.From(error);
            }

            try
            {
                if (fromLength == 0 || toLength == 0)
                {
                    return NtStatus.AccessDenied; // the root
                }

                var flags = RenameFlags.NoReplace;
                if (_fs.Lookup(toParent, to[..toLength], out var existing) == Errno.Success)
                {
                    Let(existing.Node);
                    if (existing.Node == open.Node)
                    {
                        flags = RenameFlags.None; // the same file under another spelling
                    }
                    else if (!replaceIfExisting)
                    {
                        return NtStatus.ObjectNameCollision;
                    }
                    else if (existing.Attributes.IsDirectory)
                    {
                        return NtStatus.AccessDenied; // Windows never replaces a directory
                    }
                    else
                    {
                        flags = RenameFlags.None;
                    }
                }

                error = _fs.Rename(fromParent, from[..fromLength], toParent, to[..toLength], flags);
                return error == Errno.EEXIST ? NtStatus.ObjectNameCollision : ErrnoStatus.From(error);
            }
            finally
            {
                Let(toParent);
            }
        }
        finally
        {
            Let(fromParent);
        }
    }

    // Stops a listing at its first real entry: enough to know a directory is not empty, without looking anything up.
    private sealed class EmptinessProbe : IDirectoryWriter
    {
        public bool WantsAttributes => false;

        public bool FoundEntry { get; private set; }

        public bool TryAdd(ReadOnlySpan<byte> name, ulong inode, uint type, long nextOffset, in EntryInfo entry)
        {
            if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
            {
                return true;
            }

            FoundEntry = true;
            return false;
        }
    }
}
