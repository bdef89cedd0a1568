using ThrottleFs.FileSystem;

namespace ThrottleFs.Configuration;

/// <summary>
/// Paths inside a mount, as keys for per-file settings and statistics: relative to the mount root, '/'-separated,
/// with no leading, trailing or doubled '/', and no '.' or '..' parts, so one file has one spelling; and a path that
/// could name a file on Linux at all (no NUL, components of at most 255 bytes, at most 4095 bytes in all).
/// </summary>
internal static class MountPath
{
    private const int NameMax = 255;
    private const int PathMax = 4095;

    /// <summary>Normalizes a path a user wrote (<c>/images/vm1.img</c>, <c>images//vm1.img</c>, <c>./images/vm1.img</c>).</summary>
    /// <exception cref="FormatException">The path is empty, the mount root, climbs out with '..', or can name no file.</exception>
    public static string Normalize(string path)
    {
        if (path.Contains('\0'))
        {
            throw new FormatException($"'{PathText.Escape(path)}' contains a NUL byte, which no file name can");
        }

        if (PathText.Encode(path).Length > PathMax)
        {
            throw new FormatException($"'{Shortened(path)}' is longer than {PathMax} bytes, the longest path Linux takes");
        }

        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                throw new FormatException($"'{PathText.Escape(path)}': '..' is not allowed; give the path from the mount root");
            }

            if (PathText.Encode(part).Length > NameMax)
            {
                throw new FormatException($"'{Shortened(part)}' is longer than {NameMax} bytes, the longest file name Linux takes");
            }

            if (part != ".")
            {
                parts.Add(part);
            }
        }

        return parts.Count > 0 ? string.Join('/', parts) : throw new FormatException($"'{PathText.Escape(path)}' names no file; give the path from the mount root, e.g. images/vm1.qcow2");
    }

    // Enough of an overlong path to recognise it, without repeating a megabyte in an error message.
    private static string Shortened(string path) => PathText.Escape(path.Length > 40 ? path[..40] + "…" : path);
}
