namespace ThrottleFs.Hosting;

/// <summary>
/// What a platform (FUSE on Linux, Dokan on Windows) provides to the command line: mounting a source with the
/// options the user gave. The host owns the process while the mount lives.
/// </summary>
public interface IMountHost
{
    /// <summary>
    /// Mounts. In the foreground, serves until unmounted or cancelled; otherwise returns once the mount is ready and a
    /// daemon serves it. Returns the process exit code; messages for the user go to <paramref name="error"/>.
    /// </summary>
    int Mount(MountOptions options, TextWriter error, CancellationToken cancellationToken);

    /// <summary>Unmounts, also a stale mount whose daemon died; returns the process exit code.</summary>
    int Unmount(string mountPoint, TextWriter error);

    /// <summary>
    /// A mount point as the user typed it, in the form this host names mount points by: a full path here, and on
    /// Windows also a drive letter (<c>T:</c>), which a full path would turn into a folder of the current directory.
    /// </summary>
    string FullMountPoint(string typed) => Path.GetFullPath(typed);
}
