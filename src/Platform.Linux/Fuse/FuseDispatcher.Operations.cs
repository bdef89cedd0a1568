using System.Runtime.InteropServices;
using ThrottleFs.Platform.Linux.Fuse.Kernel;

namespace ThrottleFs.Platform.Linux.Fuse;

internal sealed partial class FuseDispatcher
{
    // The opcode table, as data (go-fuse's opcode.go): name, least input, handler. A missing row is ENOSYS. Locks
    // (GETLK/SETLK/SETLKW) are deliberately absent: without them the kernel keeps POSIX, OFD and flock locks local,
    // which is exactly what QEMU's image locking needs on a single host.
    private static FuseOperation?[] BuildOperationTable()
    {
        var table = new FuseOperation?[(int)FuseOpcode.Statx + 1];
        void Add(FuseOpcode opcode, string name, int minimumInput, FuseHandler handler, bool noReply = false) =>
            table[(int)opcode] = new FuseOperation(name, minimumInput, handler, noReply);
        static int Size<T>() => Marshal.SizeOf<T>();

        Add(FuseOpcode.Init, "INIT", 16, static (d, _, in r) => d.Init(r));
        Add(FuseOpcode.Destroy, "DESTROY", 0, static (d, _, in r) => d.Destroy(r));
        Add(FuseOpcode.Lookup, "LOOKUP", 1, static (d, _, in r) => d.Lookup(r));
        Add(FuseOpcode.Forget, "FORGET", Size<FuseForgetIn>(), static (d, _, in r) => d.Forget(r), noReply: true);
        Add(FuseOpcode.BatchForget, "BATCH_FORGET", Size<FuseBatchForgetIn>(), static (d, _, in r) => d.BatchForget(r), noReply: true);
        Add(FuseOpcode.Getattr, "GETATTR", Size<FuseGetattrIn>(), static (d, _, in r) => d.Getattr(r));
        Add(FuseOpcode.Setattr, "SETATTR", Size<FuseSetattrIn>(), static (d, _, in r) => d.Setattr(r));
        Add(FuseOpcode.Readlink, "READLINK", 0, static (d, w, in r) => d.Readlink(w, r));
        Add(FuseOpcode.Symlink, "SYMLINK", 2, static (d, _, in r) => d.Symlink(r));
        Add(FuseOpcode.Mknod, "MKNOD", Size<FuseMknodIn>(), static (d, _, in r) => d.Mknod(r));
        Add(FuseOpcode.Mkdir, "MKDIR", Size<FuseMkdirIn>(), static (d, _, in r) => d.Mkdir(r));
        Add(FuseOpcode.Unlink, "UNLINK", 1, static (d, _, in r) => d.Unlink(r));
        Add(FuseOpcode.Rmdir, "RMDIR", 1, static (d, _, in r) => d.Rmdir(r));
        Add(FuseOpcode.Rename, "RENAME", Size<FuseRenameIn>(), static (d, _, in r) => d.Rename(r, Size<FuseRenameIn>(), 0));
        Add(FuseOpcode.Rename2, "RENAME2", Size<FuseRename2In>(), static (d, _, in r) => d.Rename(r, Size<FuseRename2In>(), r.Read<FuseRename2In>().Flags));
        Add(FuseOpcode.Link, "LINK", Size<FuseLinkIn>(), static (d, _, in r) => d.Link(r));
        Add(FuseOpcode.Open, "OPEN", Size<FuseOpenIn>(), static (d, _, in r) => d.Open(r));
        Add(FuseOpcode.Create, "CREATE", Size<FuseCreateIn>(), static (d, _, in r) => d.Create(r));
        Add(FuseOpcode.Read, "READ", Size<FuseReadIn>(), static (d, w, in r) => d.Read(w, r));
        Add(FuseOpcode.Write, "WRITE", Size<FuseWriteIn>(), static (d, w, in r) => d.Write(w, r));
        Add(FuseOpcode.CopyFileRange, "COPY_FILE_RANGE", Size<FuseCopyFileRangeIn>(), static (d, w, in r) => d.CopyFileRange(w, r));
        Add(FuseOpcode.Flush, "FLUSH", Size<FuseFlushIn>(), static (d, _, in r) => d.Flush(r));
        Add(FuseOpcode.Release, "RELEASE", Size<FuseReleaseIn>(), static (d, _, in r) => d.Release(r));
        Add(FuseOpcode.Fsync, "FSYNC", Size<FuseFsyncIn>(), static (d, _, in r) => d.Fsync(r));
        Add(FuseOpcode.Fallocate, "FALLOCATE", Size<FuseFallocateIn>(), static (d, _, in r) => d.Fallocate(r));
        Add(FuseOpcode.Lseek, "LSEEK", Size<FuseLseekIn>(), static (d, _, in r) => d.Lseek(r));
        Add(FuseOpcode.Opendir, "OPENDIR", Size<FuseOpenIn>(), static (d, _, in r) => d.Opendir(r));
        Add(FuseOpcode.Readdir, "READDIR", Size<FuseReadIn>(), static (d, w, in r) => d.Readdir(w, r, plus: false));
        Add(FuseOpcode.Readdirplus, "READDIRPLUS", Size<FuseReadIn>(), static (d, w, in r) => d.Readdir(w, r, plus: true));
        Add(FuseOpcode.Releasedir, "RELEASEDIR", Size<FuseReleaseIn>(), static (d, _, in r) => d.Releasedir(r));
        Add(FuseOpcode.Fsyncdir, "FSYNCDIR", Size<FuseFsyncIn>(), static (d, _, in r) => d.Fsyncdir(r));
        Add(FuseOpcode.Statfs, "STATFS", 0, static (d, _, in r) => d.Statfs(r));
        Add(FuseOpcode.Access, "ACCESS", Size<FuseAccessIn>(), static (d, _, in r) => d.Access(r));
        Add(FuseOpcode.Setxattr, "SETXATTR", Size<FuseGetxattrIn>(), static (d, _, in r) => d.Setxattr(r)); // 8-byte compat form
        Add(FuseOpcode.Getxattr, "GETXATTR", Size<FuseGetxattrIn>(), static (d, w, in r) => d.Getxattr(w, r));
        Add(FuseOpcode.Listxattr, "LISTXATTR", Size<FuseGetxattrIn>(), static (d, w, in r) => d.Listxattr(w, r));
        Add(FuseOpcode.Removexattr, "REMOVEXATTR", 1, static (d, _, in r) => d.Removexattr(r));
        Add(FuseOpcode.Interrupt, "INTERRUPT", Size<FuseInterruptIn>(), static (d, _, in r) => d.Interrupt(r), noReply: true);
        return table;
    }
}
