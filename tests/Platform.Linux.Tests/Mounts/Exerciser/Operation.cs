namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>What an operation does; every kind is counted apart in the report.</summary>
internal enum OperationKind
{
    Read,
    Write,
    MapRead,
    MapWrite,
    Truncate,
    Allocate,
    AllocateKeepSize,
    PunchHole,
    ZeroRange,
    ZeroRangeKeepSize,
    CopyWithin,
    CopyFromOther,
    CopyToOther,
    Fsync,
    Fdatasync,
    Reopen,
    ReopenTruncating,
}

/// <summary>
/// One operation of a run, with every argument it was made with. <see cref="Offset"/> and <see cref="Length"/> are
/// the range it acts on (for copies, the source range); <see cref="Target"/> is a copy's destination offset or a
/// truncate's new size; <see cref="MemoryOffset"/> moves the buffer of a read or write off its 4 KiB alignment;
/// <see cref="Synchronous"/> makes a mapped write msync with MS_SYNC (waiting for the writeback) instead of
/// MS_ASYNC (leaving the dirty pages for the kernel to write back while the next operations run).
/// </summary>
internal readonly record struct Operation(
    long Number, OperationKind Kind, long Offset = 0, long Length = 0, long Target = 0, int MemoryOffset = 0, bool Synchronous = false)
{
    /// <summary>Whether the operation may change the size of the exercised file (checked with fstat after it).</summary>
    public bool MayResize => Kind is not (OperationKind.Read or OperationKind.MapRead or OperationKind.CopyToOther or OperationKind.Fsync or OperationKind.Fdatasync);

    /// <summary>Whether the operation reads file data into the buffer, to be compared with the model's.</summary>
    public bool ReadsData => Kind is OperationKind.Read or OperationKind.MapRead;

    /// <summary>Whether the operation writes data the run generates (into the buffer, then the file).</summary>
    public bool WritesData => Kind is OperationKind.Write or OperationKind.MapWrite;

    /// <summary>The fallocate(2) mode of a fallocate kind.</summary>
    public static int AllocateMode(OperationKind kind) => kind switch
    {
        OperationKind.Allocate => 0,
        OperationKind.AllocateKeepSize => Libc.FALLOC_FL_KEEP_SIZE,
        OperationKind.PunchHole => Libc.FALLOC_FL_PUNCH_HOLE | Libc.FALLOC_FL_KEEP_SIZE,
        OperationKind.ZeroRange => Libc.FALLOC_FL_ZERO_RANGE,
        OperationKind.ZeroRangeKeepSize => Libc.FALLOC_FL_ZERO_RANGE | Libc.FALLOC_FL_KEEP_SIZE,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a fallocate kind"),
    };

    public static bool IsAllocate(OperationKind kind) =>
        kind is OperationKind.Allocate or OperationKind.AllocateKeepSize or OperationKind.PunchHole or OperationKind.ZeroRange or OperationKind.ZeroRangeKeepSize;

    private const string Main = ExerciserSettings.FileName;
    private const string Other = ExerciserSettings.OtherFileName;

    /// <summary>The call as a person would write it, e.g. <c>#1234 pwrite(offset 4095, length 8193, buffer+1) [4095, 12288)</c>.</summary>
    public override string ToString()
    {
        var memory = MemoryOffset == 0 ? "" : $", buffer+{MemoryOffset}";
        var range = $"[{Offset}, {Offset + Length})";
        var call = Kind switch
        {
            OperationKind.Read => $"pread(offset {Offset}, length {Length}{memory}) {range}",
            OperationKind.Write => $"pwrite(offset {Offset}, length {Length}{memory}) {range}",
            OperationKind.MapRead => $"mmap read(offset {Offset}, length {Length}{memory}) {range}",
            OperationKind.MapWrite => $"mmap write + msync {(Synchronous ? "MS_SYNC" : "MS_ASYNC")}(offset {Offset}, length {Length}{memory}) {range}",
            OperationKind.Truncate => $"ftruncate({Target})",
            OperationKind.CopyWithin => $"copy_file_range({Main} {Offset} → {Main} {Target}, length {Length})",
            OperationKind.CopyFromOther => $"copy_file_range({Other} {Offset} → {Main} {Target}, length {Length})",
            OperationKind.CopyToOther => $"copy_file_range({Main} {Offset} → {Other} {Target}, length {Length})",
            OperationKind.Fsync => "fsync",
            OperationKind.Fdatasync => "fdatasync",
            OperationKind.Reopen => "close and reopen",
            OperationKind.ReopenTruncating => "close and reopen with O_TRUNC",
            _ => $"fallocate({AllocateModeName(Kind)}, offset {Offset}, length {Length}) {range}",
        };
        return $"#{Number} {call}";
    }

    private static string AllocateModeName(OperationKind kind) => kind switch
    {
        OperationKind.Allocate => "0",
        OperationKind.AllocateKeepSize => "KEEP_SIZE",
        OperationKind.PunchHole => "PUNCH_HOLE|KEEP_SIZE",
        OperationKind.ZeroRange => "ZERO_RANGE",
        _ => "ZERO_RANGE|KEEP_SIZE",
    };
}
