namespace ThrottleFs.FileSystem;

/// <summary>An open file or directory handle.</summary>
/// <param name="Handle">The filesystem's handle, passed back on every call for this open.</param>
/// <param name="DirectIo">Every read and write must reach the filesystem (no page cache), so throttling is exact.</param>
public readonly record struct OpenedFile(ulong Handle, bool DirectIo);
