namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>Constants of the FUSE kernel protocol we speak (<c>linux/fuse.h</c>, 7.38).</summary>
internal static class FuseProtocol
{
    public const uint KernelVersion = 7;

    /// <summary>The highest minor version whose struct layouts this implementation knows.</summary>
    public const uint KernelMinorVersion = 38;

    public const ulong RootId = 1;

    public const int InHeaderSize = 40;
    public const int OutHeaderSize = 16;

    // INIT flags (fuse_init_in/out.flags, and flags2 << 32).
    public const ulong AsyncRead = 1UL << 0;
    public const ulong AtomicOTrunc = 1UL << 3;
    public const ulong BigWrites = 1UL << 5;

    /// <summary>The kernel takes replies spliced to the device (<see cref="Splicing.SplicePipe"/>).</summary>
    public const ulong SpliceWrite = 1UL << 7;

    public const ulong AutoInvalData = 1UL << 12;
    public const ulong DoReaddirplus = 1UL << 13;
    public const ulong ReaddirplusAuto = 1UL << 14;
    public const ulong AsyncDio = 1UL << 15;
    public const ulong ParallelDirops = 1UL << 18;
    public const ulong AbortError = 1UL << 21;
    public const ulong MaxPages = 1UL << 22;
    public const ulong CacheSymlinks = 1UL << 23;

    /// <summary>
    /// We remove set-id bits and capabilities on write, truncate and O_TRUNC, told by the kernel when the caller lacks
    /// CAP_FSETID (<see cref="WriteKillSuidgid"/>, <see cref="FattrKillSuidgid"/>, <see cref="OpenKillSuidgid"/>).
    /// </summary>
    public const ulong HandleKillprivV2 = 1UL << 28;
    public const ulong InitExt = 1UL << 30;

    /// <summary>mmap(MAP_SHARED) of a direct-I/O file (protocol 7.39; the kernel honours the bit at 7.38 too).</summary>
    public const ulong DirectIoAllowMmap = 1UL << 36;

    /// <summary>
    /// Requests may come through io_uring queues, one per CPU (protocol 7.42, Linux 6.14; offered only while the fuse
    /// module's enable_uring parameter is on). Claimed only when every queue will be registered: until then the
    /// kernel holds back every request.
    /// </summary>
    public const ulong OverIoUring = 1UL << 41;

    // The io_uring command (sqe->cmd_op) of FUSE's queues: give the kernel an entry to fill, or answer the request in
    // an entry and give it back in one go.
    public const uint UringCmdRegister = 1;
    public const uint UringCmdCommitAndFetch = 2;

    // fuse_open_out.open_flags
    public const uint FopenDirectIo = 1 << 0;
    public const uint FopenParallelDirectWrites = 1 << 6;

    /// <summary>fuse_write_in.write_flags: the writer lacks CAP_FSETID.</summary>
    public const uint WriteKillSuidgid = 1 << 2;

    /// <summary>fuse_open_in.open_flags: an O_TRUNC open by a caller without CAP_FSETID.</summary>
    public const uint OpenKillSuidgid = 1 << 0;

    /// <summary>fuse_out_header.error of a notification (unique 0): forget a node's cached attributes or data.</summary>
    public const int NotifyInvalInode = 2;

    public const uint GetattrFh = 1 << 0;
    public const uint FsyncFdatasync = 1 << 0;
    public const uint FattrFh = 1 << 6;

    /// <summary>fuse_setattr_in.valid: a truncation (or chown) by a caller without CAP_FSETID.</summary>
    public const uint FattrKillSuidgid = 1 << 11;
}
