namespace ThrottleFs.FileSystem;

/// <summary>Who asked: the caller's user, group and process.</summary>
public readonly record struct RequestContext(uint Uid, uint Gid, uint Pid);
