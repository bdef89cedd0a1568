namespace ThrottleFs.FileSystem;

/// <summary>Bytes transferred, or the error that stopped the transfer.</summary>
public readonly record struct IoResult(long Bytes, Errno Error)
{
    public static IoResult Failed(Errno error) => new(0, error);

    public static IoResult Done(long bytes) => new(bytes, Errno.Success);
}
