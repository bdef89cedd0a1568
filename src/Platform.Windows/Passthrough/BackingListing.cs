using System.IO.Enumeration;

namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// Reads backing directories: a whole listing for readdir, and the spelling a case-insensitive store has for a name.
/// Every entry is listed, hidden and system ones included ("." files are hidden to .NET on Unix), and a directory that
/// cannot be read is an error, not an empty listing.
/// </summary>
internal static class BackingListing
{
    private static readonly EnumerationOptions Everything = new()
    {
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    /// <summary>
    /// The entries of <paramref name="directory"/>, "." and ".." left out. On Unix, .NET decodes a name that is not
    /// UTF-8 with U+FFFD in place of the bad bytes, and that string reaches no file (<see cref="BackingName"/>): such
    /// entries are left out, as Windows would never show them either.
    /// </summary>
    public static FileSystemInfo[] Read(string directory)
    {
        var listing = new FileSystemEnumerable<FileSystemInfo>(directory, static (ref entry) => entry.ToFileSystemInfo(), Everything)
        {
            ShouldIncludePredicate = static (ref entry) => !entry.FileName.Contains('\uFFFD') || Exists(entry.ToFullPath()),
        };
        return [.. listing];
    }

    /// <summary>
    /// How <paramref name="directory"/> spells <paramref name="name"/>, ignoring case: the name itself when the store
    /// has it so, otherwise the first entry equal to it but for case; null when there is none. It reads the whole
    /// directory (no portable call asks the store for one name's spelling), so callers ask only for names they do not
    /// already know.
    /// </summary>
    public static string? FindSpelling(string directory, string name)
    {
        var matches = new FileSystemEnumerable<string>(directory, static (ref entry) => entry.FileName.ToString(), Everything)
        {
            ShouldIncludePredicate = (ref entry) => entry.FileName.Equals(name, StringComparison.OrdinalIgnoreCase),
        };

        string? found = null;
        foreach (var spelling in matches)
        {
            if (spelling == name)
            {
                return spelling;
            }

            found ??= spelling;
        }

        return found;
    }

    /// <summary>Whether <paramref name="directory"/> has no entry but "." and "..".</summary>
    public static bool IsEmpty(string directory)
    {
        using var entries = new FileSystemEnumerable<bool>(directory, static (ref _) => true, Everything).GetEnumerator();
        return !entries.MoveNext();
    }

    /// <summary>Whether anything is at <paramref name="path"/>, a symbolic link not followed.</summary>
    public static bool Exists(string path) => BackingAttributes.TypeOf(new FileInfo(path)) != 0;
}
