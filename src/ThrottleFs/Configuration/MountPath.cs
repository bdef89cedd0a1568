namespace ThrottleFs.Configuration;

/// <summary>
/// Paths inside a mount, as keys for per-file settings and statistics: relative to the mount root, '/'-separated,
/// with no leading, trailing or doubled '/', and no '.' or '..' parts, so one file has one spelling.
/// </summary>
internal static class MountPath
{
    /// <summary>Normalizes a path a user wrote (<c>/images/vm1.img</c>, <c>images//vm1.img</c>, <c>./images/vm1.img</c>).</summary>
    /// <exception cref="FormatException">The path is empty, the mount root, or climbs out with '..'.</exception>
    public static string Normalize(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                throw new FormatException($"'{path}': '..' is not allowed; give the path from the mount root");
            }

            if (part != ".")
            {
                parts.Add(part);
            }
        }

        return parts.Count > 0 ? string.Join('/', parts) : throw new FormatException($"'{path}' names no file; give the path from the mount root, e.g. images/vm1.qcow2");
    }
}
