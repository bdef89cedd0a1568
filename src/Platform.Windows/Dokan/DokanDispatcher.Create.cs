using ThrottleFs.FileSystem;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>ZwCreateFile, Cleanup and CloseFile: an open's life.</summary>
internal sealed unsafe partial class DokanDispatcher
{
    /// <summary>
    /// Opens or creates a file or directory as the kernel's create disposition says (dokan-notes §2): dispositions
    /// that may open an existing file answer OBJECT_NAME_COLLISION when they did, which dokan2 counts as success and
    /// reports to the application as "opened". A failed create gets no Cleanup or CloseFile, so nothing is kept.
    /// </summary>
    public int ZwCreateFile(char* fileName, uint desiredAccess, uint fileAttributes, uint createDisposition, uint createOptions, DokanFileInfo* info)
    {
        Span<byte> name = stackalloc byte[MaxNameBytes];
        var error = WalkToParent(PathOf(fileName), name, out var parent, out var length);
        if (error != Errno.Success)
        {
            return error is Errno.ENOENT or Errno.ENOTDIR ? NtStatus.ObjectPathNotFound : ErrnoStatus.FromOpen(error, parentMissing: false);
        }

        try
        {
            var request = new CreateRequest(desiredAccess, fileAttributes, createDisposition, createOptions);
            if (length == 0)
            {
                error = _fs.GetAttributes(FileSystemIds.Root, null, out var root);
                return error != Errno.Success ? ErrnoStatus.FromOpen(error, parentMissing: false) : OpenExisting(FileSystemIds.Root, root, request, info);
            }

            error = _fs.Lookup(parent, name[..length], out var entry);
            if (error == Errno.Success)
            {
                return OpenExisting(entry.Node, entry.Attributes, request, info);
            }

            return error == Errno.ENOENT ? CreateNew(parent, name[..length], request, info) : ErrnoStatus.FromOpen(error, parentMissing: false);
        }
        finally
        {
            Let(parent);
        }
    }

    /// <summary>
    /// The last handle to the file was closed. Deletes it when a delete is pending (DeleteFile and DeleteDirectory only
    /// checked that it may go: this callback cannot fail), and flushes, as close(2) does, so the control file applies
    /// a last line written without its newline. The open itself lives on until CloseFile: paging I/O may follow.
    /// </summary>
    public void Cleanup(char* fileName, DokanFileInfo* info)
    {
        if (Find(info) is not { } open)
        {
            return;
        }

        if (open.Handle != 0 && !open.IsDirectory)
        {
            _fs.Flush(open.Handle);
        }

        if (info->DeletePending != 0)
        {
            var error = Remove(PathOf(fileName), open.IsDirectory);
            if (error != Errno.Success)
            {
                Log.Warning("Could not delete {Path} at its last close: {Error}", PathOf(fileName).ToString(), error);
            }
        }
    }

    /// <summary>The open is over: its handle and its node's lookup go back.</summary>
    public void CloseFile(DokanFileInfo* info)
    {
        if (_opens.Remove(info->Context) is { } open)
        {
            _ids.Return(info->Context);
            info->Context = 0;
            Close(open);
        }
    }

    private void Close(DokanOpen open)
    {
        var handle = open.Handle;
        open.Handle = 0;
        if (handle != 0)
        {
            _ = open.IsDirectory ? _fs.ReleaseDirectory(handle) : _fs.Release(handle);
        }

        Let(open.Node);
    }

    private int OpenExisting(ulong node, in NodeAttributes attributes, in CreateRequest request, DokanFileInfo* info)
    {
        var status = Check(attributes, request);
        if (status != NtStatus.Success)
        {
            Let(node);
            return status;
        }

        var open = new DokanOpen(node, attributes.IsDirectory, attributes.IsDirectory ? OpenFlags.ReadOnly : request.Flags);
        if (!open.IsDirectory && (request.NeedsData || request.Truncates))
        {
            var error = _fs.Open(_requestors.Identify(info), node, request.Flags | (request.Truncates ? OpenFlags.Truncate : 0), out var file);
            if (error != Errno.Success)
            {
                Let(node);
                return ErrnoStatus.FromOpen(error, parentMissing: false);
            }

            open.Handle = file.Handle;
        }

        status = Keep(open, info);
        return status != NtStatus.Success ? status : request.OpensExistingAsCollision ? NtStatus.ObjectNameCollision : NtStatus.Success;
    }

    // What Windows refuses before anything is opened.
    private static int Check(in NodeAttributes attributes, in CreateRequest request)
    {
        if (request.Disposition == CreateDisposition.Create)
        {
            return NtStatus.ObjectNameCollision;
        }

        if (attributes.IsDirectory)
        {
            return request.WantsFile ? NtStatus.FileIsADirectory
                : request.Truncates ? (request.WantsDirectory ? NtStatus.InvalidParameter : NtStatus.FileIsADirectory)
                : NtStatus.Success;
        }

        return request.WantsDirectory ? NtStatus.NotADirectory
            : request.DeleteOnClose && WindowsAttributes.IsReadOnly(attributes) ? NtStatus.CannotDelete
            : NtStatus.Success;
    }

    private int CreateNew(ulong parent, ReadOnlySpan<byte> name, in CreateRequest request, DokanFileInfo* info)
    {
        if (!request.Creates)
        {
            return NtStatus.ObjectNameNotFound;
        }

        var context = _requestors.Identify(info);
        if (request.WantsDirectory)
        {
            if (request.Disposition is not (CreateDisposition.Create or CreateDisposition.OpenIf))
            {
                return NtStatus.InvalidParameter; // a directory can only be created or opened
            }

            var made = _fs.MakeDirectory(context, parent, name, 0x1FF, out var directory);
            return made == Errno.EEXIST ? Retry(parent, name, request, info)
                : made != Errno.Success ? ErrnoStatus.FromOpen(made, parentMissing: false)
                : Keep(new DokanOpen(directory.Node, isDirectory: true, OpenFlags.ReadOnly), info);
        }

        // Read-only at creation is the mode's business: no write bits. The umask is Windows's inheritable ACLs' job.
        var mode = request.CreatesReadOnly ? 0x124u : 0x1B6u;
        var error = _fs.Create(context, parent, name, request.Flags | OpenFlags.Create | OpenFlags.Exclusive, mode, out var entry, out var file);
        if (error == Errno.EEXIST)
        {
            return Retry(parent, name, request, info);
        }

        if (error != Errno.Success)
        {
            return ErrnoStatus.FromOpen(error, parentMissing: false);
        }

        return Keep(new DokanOpen(entry.Node, isDirectory: false, request.Flags) { Handle = file.Handle }, info);
    }

    // Another process created the name between our lookup and our create: open what is there now.
    private int Retry(ulong parent, ReadOnlySpan<byte> name, in CreateRequest request, DokanFileInfo* info)
    {
        var error = _fs.Lookup(parent, name, out var entry);
        return error != Errno.Success ? ErrnoStatus.FromOpen(error, parentMissing: false) : OpenExisting(entry.Node, entry.Attributes, request, info);
    }

    // Gives the open an id for the Context; on failure the open is undone.
    private int Keep(DokanOpen open, DokanFileInfo* info)
    {
        if (!_ids.TryRent(out var id))
        {
            Close(open);
            return NtStatus.TooManyOpenedFiles;
        }

        open.Id = id;
        _opens.Set(id, open);
        info->Context = id;
        info->IsDirectory = open.IsDirectory ? (byte)1 : (byte)0;
        return NtStatus.Success;
    }

    private Errno Remove(ReadOnlySpan<char> path, bool directory)
    {
        Span<byte> name = stackalloc byte[MaxNameBytes];
        var error = WalkToParent(path, name, out var parent, out var length);
        if (error != Errno.Success)
        {
            return error;
        }

        try
        {
            return length == 0 ? Errno.EBUSY : directory ? _fs.RemoveDirectory(parent, name[..length]) : _fs.Unlink(parent, name[..length]);
        }
        finally
        {
            Let(parent);
        }
    }
}
