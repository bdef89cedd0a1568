namespace ThrottleFs.Hosting;

/// <summary>
/// What a platform (FUSE on Linux, Dokan on Windows) provides to the command line: mounting a source with the
/// options the user gave. The host owns the process while the mount lives.
/// </summary>
public interface IMountHost
{
    /// <summary>Mounts and serves until unmounted or cancelled; returns the process exit code.</summary>
    int Mount(MountOptions options, CancellationToken cancellationToken);
}
