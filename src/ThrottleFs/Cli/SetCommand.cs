using System.CommandLine;
using System.Text;
using ThrottleFs.Configuration;
using ThrottleFs.Control;

namespace ThrottleFs.Cli;

/// <summary><c>throttlefs set MOUNTPOINT COMMAND...</c>: one line to the mount's control file.</summary>
internal static class SetCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var mountPoint = new Argument<string>("MOUNTPOINT") { Description = "A ThrottleFs mount." };
        var words = new Argument<string[]>("COMMAND")
        {
            Description = "One control command, or '-' to read commands from standard input, one per line: " +
                          "file PATH SPEC | group NAME SPEC | mount SPEC | assign PATH GROUP | unassign PATH | " +
                          "clear file PATH | clear group NAME | clear mount. PATH may be relative to the mount root or an absolute path inside the mount; " +
                          "a byte that is not UTF-8 is written \\xHH, a backslash \\\\ (as stats shows them).",
            Arity = ArgumentArity.OneOrMore,
        };
        var controlDirectory = ControlFileFinder.DirectoryOption();
        var command = new Command(
            "set",
            "Change limits of a running mount, at once and for requests already waiting: " +
            "throttlefs set /mnt/vms file images/vm1.qcow2 iops-total=200. The change stays until cleared or unmounted " +
            "(a config reload keeps it). A change merges into the limits in force: what it left (a file's whole chain) is printed, " +
            "with a note when a burst kept from before runs on at its old rate. With '-', says exactly which lines were applied when one is refused. " +
            "Exit code 0: applied; 2: refused (the reason is printed; the lines before it stay applied); 1: not a ThrottleFs mount.")
        {
            mountPoint, words, controlDirectory,
        };
        command.SetAction(result =>
        {
            var point = Path.TrimEndingDirectorySeparator(Path.GetFullPath(result.GetValue(mountPoint)!));
            if (!ControlFileFinder.TryFind(point, ControlFile.Control, result.GetValue(controlDirectory)!, out var control, out var problem))
            {
                error.WriteLine($"throttlefs: {problem}");
                return ExitCodes.Failure;
            }

            var given = result.GetValue(words)!;
            string[] lines;
            if (given is ["-"])
            {
                lines = Console.In.ReadToEnd().Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Trim().Length > 0).ToArray();
            }
            else if (TryLine(given, point, out var line, out problem))
            {
                lines = [line];
            }
            else
            {
                error.WriteLine($"throttlefs: {problem}");
                return ExitCodes.Usage;
            }

            return Send(lines, control, output, error);
        });
        return command;
    }

    // One write a line: the daemon runs each line as it arrives and fails the write of the first it refuses, so the
    // lines before it are known to be applied and those after it were never sent.
    private static int Send(string[] lines, string control, TextWriter output, TextWriter error)
    {
        var applied = 0;
        try
        {
            using var stream = new FileStream(control, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
            foreach (var line in lines)
            {
                stream.Write(Encoding.UTF8.GetBytes(line + "\n"));
                applied++;
            }
        }
        catch (UnauthorizedAccessException)
        {
            error.WriteLine($"throttlefs: only the mount's owner or root may change limits ({control}: permission denied).");
            return ExitCodes.Failure;
        }
        catch (IOException e)
        {
            var errors = Path.Combine(Path.GetDirectoryName(control)!, ControlFile.Errors.Name());
            var reason = File.Exists(errors) ? LastEntry(File.ReadAllText(errors)) : e.Message;
            var skipped = lines.Length - applied - 1;
            error.WriteLine(lines.Length == 1
                ? $"throttlefs: refused; nothing changed:\n{reason.TrimEnd()}"
                : $"throttlefs: applied {applied} of {lines.Length} lines; refused line {applied + 1}: {lines[applied].Trim()}\n{reason.TrimEnd()}" +
                  (skipped > 0 ? $"\nthrottlefs: the {skipped} line(s) after it were not sent." : ""));
            return ExitCodes.Usage;
        }

        output.WriteLine(lines.Length == 1 ? $"throttlefs: applied: {lines[0].Trim()}" : $"throttlefs: applied {applied} lines");
        if (lines.Length <= MaxOutcomesShown)
        {
            // What each line left in force, as the daemon recorded it in changes: the chain, and any burst it kept.
            var changes = Path.Combine(Path.GetDirectoryName(control)!, ControlFile.Changes.Name());
            var entries = File.Exists(changes) ? Entries(File.ReadAllText(changes)) : [];
            foreach (var line in lines)
            {
                if (entries.LastOrDefault(entry => entry[0].EndsWith(": " + line.Trim(), StringComparison.Ordinal)) is { } entry)
                {
                    foreach (var detail in entry.Skip(1))
                    {
                        output.WriteLine((lines.Length == 1 ? "" : line.Trim() + ": ") + detail.Trim());
                    }
                }
            }
        }

        return ExitCodes.Success;
    }

    private const int MaxOutcomesShown = 20;

    // changes and errors hold entries that start at column 0 and continue indented.
    private static List<string[]> Entries(string text)
    {
        var entries = new List<string[]>();
        var current = new List<string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith(' ') && current.Count > 0)
            {
                entries.Add([.. current]);
                current.Clear();
            }

            current.Add(line);
        }

        if (current.Count > 0)
        {
            entries.Add([.. current]);
        }

        return entries;
    }

    // The words as one control line: quoted where they have blanks (a backslash stays an escape: \xHH, \\), and
    // absolute paths inside the mount made relative. An absolute path outside it names no file of the mount.
    private static bool TryLine(string[] words, string mountPoint, out string line, out string? problem)
    {
        var text = new StringBuilder();
        foreach (var word in words)
        {
            var relative = word;
            if (word.StartsWith('/'))
            {
                var full = Path.GetFullPath(word);
                if (full != mountPoint && !full.StartsWith(mountPoint + "/", StringComparison.Ordinal))
                {
                    (line, problem) = ("", $"'{word}' is not inside the mount {mountPoint}; give a path inside it, or relative to its root.");
                    return false;
                }

                relative = full == mountPoint ? "" : full[(mountPoint.Length + 1)..];
            }

            var quoted = relative.Length == 0 || relative.Any(char.IsWhiteSpace) || relative.Contains('"');
            text.Append(text.Length == 0 ? "" : " ").Append(quoted ? "\"" + relative.Replace("\"", "\\\"") + "\"" : relative);
        }

        (line, problem) = (text.ToString(), null);
        return true;
    }

    // errors holds entries that start at column 0 and continue indented; the newest is last.
    internal static string LastEntry(string errors) => Entries(errors) is [.., var last] ? string.Join('\n', last) : errors;
}
