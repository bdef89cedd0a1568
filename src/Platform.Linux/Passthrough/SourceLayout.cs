namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>How the source appears at the mount point.</summary>
internal enum SourceLayout
{
    /// <summary>The source is a directory; the whole tree is mirrored.</summary>
    Directory,

    /// <summary>The source is a file mounted onto a directory: the mount shows it as its only entry, under its own name.</summary>
    FileInDirectory,

    /// <summary>The source is a file mounted onto a file: the mount point is that file (as qemu-storage-daemon's FUSE export).</summary>
    FileAsRoot,
}

/// <summary>Which <see cref="SourceLayout"/> a source and mount point call for.</summary>
internal static class SourceLayouts
{
    /// <summary>
    /// The layout for <paramref name="source"/> at <paramref name="mountPoint"/>, or in <paramref name="problem"/> a
    /// sentence for the user saying what is wrong and what to do.
    /// </summary>
    public static bool TryChoose(string source, string mountPoint, out SourceLayout layout, out string? problem)
    {
        layout = SourceLayout.Directory;
        problem = null;
        var sourceIsDirectory = Directory.Exists(source);
        if (!Directory.Exists(mountPoint) && !File.Exists(mountPoint))
        {
            problem = $"mount point '{mountPoint}' does not exist; create it first (mkdir -p {mountPoint}).";
            return false;
        }

        var mountPointIsDirectory = Directory.Exists(mountPoint);
        if (sourceIsDirectory && !mountPointIsDirectory)
        {
            problem = $"'{source}' is a directory, so the mount point must be a directory too.";
            return false;
        }

        layout = sourceIsDirectory ? SourceLayout.Directory : mountPointIsDirectory ? SourceLayout.FileInDirectory : SourceLayout.FileAsRoot;
        return true;
    }
}
