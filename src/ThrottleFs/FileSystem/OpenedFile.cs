namespace ThrottleFs.FileSystem;

/// <summary>An open file or directory handle.</summary>
/// <param name="Handle">The filesystem's handle, passed back on every call for this open.</param>
/// <param name="DirectIo">
/// Every read and write must reach the filesystem whatever the mount's caching: the content is made up when the file
/// is opened, or changes where the kernel cannot see it. A backing file says false: the mount decides whether its
/// data is cached (by default nothing is, so that every request meets the throttle).
/// </param>
public readonly record struct OpenedFile(ulong Handle, bool DirectIo);
