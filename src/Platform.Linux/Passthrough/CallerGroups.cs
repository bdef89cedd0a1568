using System.Globalization;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// Whether the process behind a request is in a group: its own group, or one of its supplementary groups as
/// <c>/proc/PID/status</c> lists them. Only asked in the rare case a set-group-ID file without group execute is
/// written by someone outside its group, so reading the file each time costs nothing that matters.
/// </summary>
internal static class CallerGroups
{
    public static bool Contains(in RequestContext context, uint gid)
    {
        if (context.Gid == gid)
        {
            return true;
        }

        try
        {
            foreach (var line in File.ReadLines($"/proc/{context.Pid}/status"))
            {
                if (line.StartsWith("Groups:", StringComparison.Ordinal))
                {
                    return line["Groups:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
                        .Any(group => uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id == gid);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process is gone: it cannot be shown to be in the group, so the bit goes, as the safe answer.
        }

        return false;
    }
}
