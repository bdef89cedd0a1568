namespace ThrottleFs.Passthrough;

/// <summary>How the source appears at the mount point.</summary>
public enum SourceLayout
{
    /// <summary>The source is a directory; the whole tree is mirrored.</summary>
    Directory,

    /// <summary>The source is a file mounted onto a directory: the mount shows it as its only entry, under its own name.</summary>
    FileInDirectory,

    /// <summary>The source is a file mounted onto a file: the mount point is that file (as qemu-storage-daemon's FUSE export).</summary>
    FileAsRoot,
}
