namespace ThrottleFs.Platform.Windows.Hosting;

/// <summary>
/// A mount point as dokan2 takes it and as the user may type it: a drive letter (<c>T</c>, <c>T:</c>, <c>t:\</c> all
/// become <c>T:\</c>) or an existing empty folder, given by its full path without a trailing separator.
/// </summary>
internal static class MountPointName
{
    /// <summary>The spelling dokan2 wants, or the reason <paramref name="typed"/> cannot be a mount point.</summary>
    public static bool TryNormalize(string typed, out string mountPoint, out string? problem)
    {
        mountPoint = typed;
        problem = null;
        if (typed.Trim().Length == 0)
        {
            problem = "the mount point is empty: give a free drive letter (T:) or an empty folder on an NTFS volume.";
            return false;
        }

        if (IsDriveLetter(typed.Trim()))
        {
            mountPoint = Full(typed);
            return true;
        }

        var full = Path.TrimEndingDirectorySeparator(Full(typed.Trim()));
        if (!Directory.Exists(full))
        {
            problem = $"the mount point '{full}' does not exist: create an empty folder there, or give a free drive letter (T:).";
            return false;
        }

        if (Directory.EnumerateFileSystemEntries(full).Any())
        {
            problem = $"the mount point '{full}' is not empty: Dokan mounts onto an empty folder or a free drive letter (T:).";
            return false;
        }

        mountPoint = full;
        return true;
    }

    /// <summary>A drive letter as <c>T:\</c>, anything else as a full path.</summary>
    public static string Full(string typed) =>
        IsDriveLetter(typed.Trim()) ? char.ToUpperInvariant(typed.Trim()[0]) + @":\" : Path.GetFullPath(typed);

    /// <summary>Whether <paramref name="text"/> names a drive: one letter, with an optional colon and separator.</summary>
    public static bool IsDriveLetter(string text) =>
        text.Length is >= 1 and <= 3 && char.IsAsciiLetter(text[0]) &&
        (text.Length == 1 || text[1] == ':') && (text.Length < 3 || text[2] is '\\' or '/');
}
