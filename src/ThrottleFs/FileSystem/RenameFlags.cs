namespace ThrottleFs.FileSystem;

/// <summary>renameat2 flags.</summary>
[Flags]
public enum RenameFlags : uint
{
    None = 0,

    /// <summary>Fail with EEXIST instead of replacing the target.</summary>
    NoReplace = 1,

    /// <summary>Swap source and target atomically.</summary>
    Exchange = 2,

    /// <summary>Leave a whiteout behind (overlay filesystems).</summary>
    Whiteout = 4,
}
