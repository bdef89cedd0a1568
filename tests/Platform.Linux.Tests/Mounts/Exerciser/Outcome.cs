using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>
/// What a call returned: a byte count (or 0) on success, or -1 with errno. <see cref="Step"/> names the call that
/// failed when an operation makes several (a mapped write is mmap, copy, msync, munmap).
/// </summary>
internal readonly record struct Outcome(long Result, int Errno, string? Step = null)
{
    public static Outcome Done(long result) => new(result, 0);

    public static Outcome Failed(int errno, string? step = null) => new(-1, errno, step);

    public bool Succeeded => Errno == 0;

    /// <summary>The same result and errno; which step failed is a detail for the message.</summary>
    public bool Matches(Outcome other) => Result == other.Result && Errno == other.Errno;

    public override string ToString() => (Errno == 0 ? $"{Result}" : $"-1 {ErrnoName(Errno)}") + (Step is null ? "" : $" ({Step})");

    public static string ErrnoName(int errno) => Enum.IsDefined((Errno)errno) ? $"{(Errno)errno}" : $"errno {errno}";
}
