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
                          "clear file PATH | clear group NAME | clear mount. PATH may be relative to the mount root or an absolute path inside the mount.",
            Arity = ArgumentArity.OneOrMore,
        };
        var controlDirectory = new Option<string>("--control-directory")
        {
            Description = "The control directory's name, if the mount's config changed it.",
            HelpName = "NAME",
            DefaultValueFactory = _ => ControlDirectoryName.Default,
        };
        var command = new Command(
            "set",
            "Change limits of a running mount, at once and for requests already waiting: " +
            "throttlefs set /mnt/vms file images/vm1.qcow2 iops-total=200. The change stays until cleared or unmounted " +
            "(a config reload keeps it). Exit code 0: applied; 2: refused (the reason is printed; nothing changed); 1: not a ThrottleFs mount.")
        {
            mountPoint, words, controlDirectory,
        };
        command.SetAction(result =>
        {
            var point = Path.GetFullPath(result.GetValue(mountPoint)!);
            if (!ControlFileFinder.TryFind(point, ControlFile.Control, result.GetValue(controlDirectory)!, out var control, out var problem))
            {
                error.WriteLine($"throttlefs: {problem}");
                return ExitCodes.Failure;
            }

            var given = result.GetValue(words)!;
            var text = given is ["-"] ? Console.In.ReadToEnd() : Line(given, point);
            try
            {
                // One write: the daemon applies its lines in order and refuses the write at the first bad one.
                using var stream = new FileStream(control, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
                stream.Write(Encoding.UTF8.GetBytes(text.EndsWith('\n') ? text : text + "\n"));
                output.WriteLine($"throttlefs: applied: {text.Trim()}");
                return ExitCodes.Success;
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
                error.WriteLine($"throttlefs: refused; nothing changed:\n{reason.TrimEnd()}");
                return ExitCodes.Usage;
            }
        });
        return command;
    }

    // Words back into one line: quoted where they have blanks, and absolute paths inside the mount made relative.
    private static string Line(string[] words, string mountPoint)
    {
        var line = new StringBuilder();
        foreach (var word in words)
        {
            var relative = word.StartsWith(mountPoint + "/", StringComparison.Ordinal) ? word[(mountPoint.Length + 1)..] : word;
            line.Append(line.Length == 0 ? "" : " ").Append(ControlCommand.Quote(relative));
        }

        return line.ToString();
    }

    // errors holds entries that start at column 0 and continue indented; the newest is last.
    private static string LastEntry(string errors)
    {
        var lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var start = Array.FindLastIndex(lines, line => !line.StartsWith(' '));
        return start < 0 ? errors : string.Join('\n', lines[start..]);
    }
}
