using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// Directories: open, list with getdents64 (READDIRPLUS looks every entry up, relative to the open directory's own
/// descriptor), fsync, release. An open directory costs two descriptors (its own and its node's, pinned), so it is
/// refused with EMFILE when they run short; reading one already open needs none that could be refused.
/// </summary>
internal sealed unsafe partial class PassthroughFileSystem
{
    public Errno OpenDirectory(ulong node, out OpenedFile directory)
    {
        directory = default;
        if (_nodes.Find(node) is not { } found)
        {
            return Errno.ENOENT;
        }

        if (!_descriptors.MakeRoom(2))
        {
            return Errno.EMFILE;
        }

        var pin = _descriptors.Lease(found, out var error);
        if (error != Errno.Success)
        {
            return error;
        }

        var fd = -1;
        if (pin.Fd >= 0)
        {
            fixed (byte* dot = "."u8)
            {
                fd = OpenAt(pin.Fd, dot, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
            }

            if (fd < 0)
            {
                error = LastError;
                pin.Dispose();
                return error;
            }

            _budget.Count(1);
        }

        var opened = new PassthroughDirectory(pin, fd, _budget);
        if (!_handles.TryRent(out var handle))
        {
            opened.Close();
            return Errno.EMFILE;
        }

        _directories.Set(handle, opened);
        directory = new OpenedFile(handle, DirectIo: false);
        return Errno.Success;
    }

    public Errno ReadDirectory(ulong handle, long offset, IDirectoryWriter writer)
    {
        if (_directories.Get(handle) is not { } directory)
        {
            return Errno.EBADF;
        }

        return directory.Fd < 0 ? ReadSingleFileDirectory(offset, writer) : ReadBackingDirectory(directory, offset, writer);
    }

    public Errno ReleaseDirectory(ulong handle)
    {
        if (_directories.Remove(handle) is not { } directory)
        {
            return Errno.EBADF;
        }

        directory.Close();
        _handles.Return(handle);
        return Errno.Success;
    }

    public Errno FsyncDirectory(ulong handle, bool dataOnly)
    {
        if (_directories.Get(handle) is not { } directory)
        {
            return Errno.EBADF;
        }

        return directory.Fd < 0 ? Errno.Success : Check(dataOnly ? FDataSync(directory.Fd) : FSync(directory.Fd));
    }

    private Errno ReadBackingDirectory(PassthroughDirectory directory, long offset, IDirectoryWriter writer)
    {
        lock (directory.Lock)
        {
            if (LSeek(directory.Fd, offset, SEEK_SET) < 0)
            {
                return LastError;
            }

            var buffer = directory.Buffer;
            while (true)
            {
                nint length;
                fixed (byte* b = buffer)
                {
                    length = GetDents64(directory.Fd, b, buffer.Length);
                }

                if (length < 0)
                {
                    return LastError;
                }

                if (length == 0)
                {
                    return Errno.Success;
                }

                for (var position = 0; position < length;)
                {
                    // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
                    var record = buffer.AsSpan(position);
                    var inode = BitConverter.ToUInt64(record);
                    var next = BitConverter.ToInt64(record[8..]);
                    var recordLength = BitConverter.ToUInt16(record[16..]);
                    var type = record[18];
                    var name = record[19..recordLength];
                    name = name[..name.IndexOf((byte)0)];
                    if (!Emit(directory.Fd, writer, name, inode, type, next))
                    {
                        return Errno.Success;
                    }

                    position += recordLength;
                }
            }
        }
    }

    // One entry into the reply; with attributes, the entry is looked up in the directory dirFd is open on, and the
    // lookup undone if it does not fit.
    private bool Emit(int dirFd, IDirectoryWriter writer, ReadOnlySpan<byte> name, ulong inode, uint type, long next)
    {
        if (!writer.WantsAttributes)
        {
            return writer.TryAdd(name, inode, type, next, default);
        }

        var isDot = name.SequenceEqual("."u8) || name.SequenceEqual(".."u8);
        if (isDot || LookupAt(dirFd, name, out var entry) != Errno.Success)
        {
            // "." and "..", and entries that vanished since getdents: no node, no lookup counted.
            return writer.TryAdd(name, inode, type, next, new EntryInfo(0, default(NodeAttributes) with { Inode = inode, Mode = type << 12 }));
        }

        if (writer.TryAdd(name, inode, type, next, entry))
        {
            return true;
        }

        Forget(entry.Node, 1);
        return false;
    }
}
