namespace ThrottleFs.Configuration;

/// <summary>
/// What a live change touches, so that applying it costs that much and no more: one file's entry, one group, or (both
/// null) the mount-wide limits.
/// </summary>
/// <param name="File">The path of the file whose entry changes.</param>
/// <param name="Group">The name of the group that changes.</param>
internal readonly record struct ChangeScope(string? File = null, string? Group = null);
