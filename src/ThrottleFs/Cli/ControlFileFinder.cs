using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
using ThrottleFs.Configuration;
using ThrottleFs.Control;

namespace ThrottleFs.Cli;

/// <summary>
/// The hidden directory inside a mount where the daemon serves its control files (<c>stats</c>, <c>metrics</c>, ...);
/// commands that talk to a running mount find their file through here, with a message the user can act on when it is
/// not there.
/// </summary>
internal static class ControlFileFinder
{
    /// <summary><c>--control-directory NAME</c>, for the commands that talk to a running mount.</summary>
    public static Option<string> DirectoryOption() => new("--control-directory")
    {
        Description = "The control directory's name, if the mount's config changed it.",
        HelpName = "NAME",
        DefaultValueFactory = _ => ControlDirectoryName.Default,
    };

    /// <summary>
    /// Finds <paramref name="fileName"/> in the control directory <paramref name="directoryName"/> of the mount at
    /// <paramref name="mountPoint"/>. Returns its full path, or in <paramref name="problem"/> a sentence for the user
    /// saying what is missing and what to do.
    /// </summary>
    public static bool TryFind(
        string mountPoint,
        ControlFile control,
        string directoryName,
        [NotNullWhen(true)] out string? path,
        [NotNullWhen(false)] out string? problem)
    {
        path = null;
        var root = Path.GetFullPath(mountPoint);
        if (!Directory.Exists(root) && !File.Exists(root))
        {
            problem = $"'{root}' does not exist.";
            return false;
        }

        if (File.Exists(root))
        {
            problem = $"'{root}' is a single file: a mount of one file has no control directory. Read its statistics with " +
                      $"'getfattr -n user.throttlefs.stats {root}', set its limits with 'setfattr -n user.throttlefs.limits -v SPEC {root}', " +
                      "or edit the mount's config file.";
            return false;
        }

        var directory = Path.Combine(root, directoryName);
        if (!Directory.Exists(directory))
        {
            problem = $"'{root}' is not a ThrottleFs mount (no {directoryName} directory); mount it with: throttlefs mount SOURCE {root}";
            return false;
        }

        var fileName = control.Name();
        var file = Path.Combine(directory, fileName);
        if (!File.Exists(file))
        {
            problem = $"'{directory}' has no '{fileName}' file; the daemon serving '{root}' may be older than this throttlefs.";
            return false;
        }

        path = file;
        problem = null;
        return true;
    }
}
