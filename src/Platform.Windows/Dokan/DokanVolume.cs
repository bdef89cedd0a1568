namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>How the volume presents itself to Windows.</summary>
/// <param name="Label">The volume label Explorer shows (at most 32 characters).</param>
/// <param name="SerialNumber">The volume serial number; also each file's volume serial.</param>
/// <param name="CaseSensitive">Whether names are matched by case (off on NTFS-backed sources).</param>
internal sealed record DokanVolume(string Label, uint SerialNumber, bool CaseSensitive)
{
    /// <summary>
    /// The file system name. Windows and applications turn features on by it (Explorer, some installers, Hyper-V), so
    /// Dokan's advice is to say NTFS.
    /// </summary>
    public const string FileSystemName = "NTFS";

    /// <summary>The longest name a path component may have.</summary>
    public const uint MaxComponentLength = 255;
}
