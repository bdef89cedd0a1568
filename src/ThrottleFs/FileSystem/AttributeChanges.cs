namespace ThrottleFs.FileSystem;

/// <summary>Which fields of <see cref="AttributeChanges"/> to apply (chmod, chown, truncate, utimens).</summary>
[Flags]
public enum AttributeFields
{
    None = 0,
    Mode = 1 << 0,
    Uid = 1 << 1,
    Gid = 1 << 2,
    Size = 1 << 3,
    AccessTime = 1 << 4,
    ModifyTime = 1 << 5,
    AccessTimeNow = 1 << 7,
    ModifyTimeNow = 1 << 8,
}

/// <summary>A setattr request: the fields to change and their new values, optionally through an open handle.</summary>
public readonly record struct AttributeChanges(
    AttributeFields Fields,
    uint Mode,
    uint Uid,
    uint Gid,
    long Size,
    long AccessSeconds,
    uint AccessNanoseconds,
    long ModifySeconds,
    uint ModifyNanoseconds,
    ulong? Handle);
