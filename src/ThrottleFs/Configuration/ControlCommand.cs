using System.Text;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;

namespace ThrottleFs.Configuration;

/// <summary>
/// One line written to <c>.throttlefs/control</c> (or given to <c>throttlefs set</c>): a change to the live
/// overrides. SPECs are changes too: the keys named replace their values, the rest stay.
/// <code>
/// file PATH SPEC          this file's own limits
/// group NAME SPEC         a group's limits (creates the group)
/// mount SPEC              the mount-wide limits
/// assign PATH GROUP       put a file in a group
/// unassign PATH           take a file out of any group (also one its rule gives)
/// clear file PATH         drop live changes to a file: back to what the config says
/// clear group NAME        drop live changes to a group (a group only made live is removed)
/// clear mount             drop live changes to the mount-wide limits
/// </code>
/// PATH is relative to the mount root; quote it ("my disk.img") when it has spaces; write a byte that is not UTF-8 as
/// <c>\xHH</c> (<c>\xff.img</c>) and a backslash as <c>\\</c>, as statistics show them.
/// </summary>
internal abstract record ControlCommand
{
    /// <summary>The usage lines, for error messages.</summary>
    public const string Usage =
        "commands: file PATH SPEC | group NAME SPEC | mount SPEC | assign PATH GROUP | unassign PATH | clear file PATH | clear group NAME | clear mount | trace start FILE | trace stop";

    /// <summary>The overrides with this command applied. Not yet validated against the config.</summary>
    public abstract RuntimeOverrides ApplyTo(RuntimeOverrides overrides);

    /// <summary>What the command changes: one file's entry, one group, or (neither) the mount-wide limits.</summary>
    public abstract ChangeScope Scope { get; }

    /// <summary>
    /// Parses one line. Returns null for a blank line or a <c>#</c> comment.
    /// </summary>
    /// <exception cref="ConfigException">The line is not a command; the message says what is wrong and what was expected.</exception>
    public static ControlCommand? Parse(string line)
    {
        if (line.TrimStart().StartsWith('#'))
        {
            return null; // whatever the comment holds, unbalanced quotes included
        }

        var words = Split(line);
        if (words.Count == 0)
        {
            return null;
        }

        try
        {
            return words[0].ToLowerInvariant() switch
            {
                "file" when words.Count >= 3 => new SetFile(MountPath.Normalize(words[1]), Spec(words, 2)),
                "group" when words.Count >= 3 => new SetGroup(ValidGroup(words[1]), Spec(words, 2)),
                "mount" when words.Count >= 2 => new SetMount(Spec(words, 1)),
                "assign" when words.Count == 3 => new Assign(MountPath.Normalize(words[1]), ValidGroup(words[2])),
                "unassign" when words.Count == 2 => new Unassign(MountPath.Normalize(words[1])),
                "clear" when words.Count == 3 && words[1] == "file" => new ClearFile(MountPath.Normalize(words[2])),
                "clear" when words.Count == 3 && words[1] == "group" => new ClearGroup(ValidGroup(words[2])),
                "clear" when words.Count == 2 && words[1] == "mount" => new ClearMount(),
                "file" or "group" or "mount" or "assign" or "unassign" or "clear" =>
                    throw new ConfigException($"'{words[0]}' takes {Arguments(words[0])}"),
                _ => throw new ConfigException($"unknown command '{words[0]}' ({Usage})"),
            };
        }
        catch (FormatException e)
        {
            throw new ConfigException(e.Message);
        }
        catch (ThrottleConfigException e)
        {
            throw new ConfigException(e.Errors);
        }
    }

    private static string Arguments(string command) => command switch
    {
        "file" => "a PATH and a SPEC: file images/vm1.qcow2 iops-total=100",
        "group" => "a NAME and a SPEC: group vms iops-total=500",
        "mount" => "a SPEC: mount bps-total=200M",
        "assign" => "a PATH and a GROUP: assign images/vm1.qcow2 vms",
        "unassign" => "a PATH: unassign images/vm1.qcow2",
        _ => "file PATH, group NAME or mount: clear file images/vm1.qcow2",
    };

    private static ThrottleSpec Spec(List<string> words, int start)
    {
        var spec = ThrottleSpec.Parse(string.Join(' ', words.Skip(start)));
        spec.ApplyTo(ThrottleConfig.Unlimited); // every value parses; whether they fit together is checked when applied
        return spec;
    }

    private static string ValidGroup(string name) => GroupName.IsValid(name) ? name : throw new FormatException(GroupName.Problem(name));

    // Words separated by blanks (for every control line, trace commands too); "double quotes" keep blanks in a word; \" is a quote, \\ a backslash and \xHH the byte HH
    // (names that are not UTF-8), in quotes or not.
    internal static List<string> Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var quoted = false;
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\')
            {
                // \" is a quote in the word; \\ stays for PathText.Unescape, which also reads \xHH.
                word.Append(line[++i] == '"' ? "\"" : "\\\\");
                inWord = true;
            }
            else if (c == '"')
            {
                quoted = !quoted;
                inWord = true;
            }
            else if (!quoted && char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(PathText.Unescape(word.ToString()));
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (quoted)
        {
            throw new ConfigException("a '\"' is not closed");
        }

        if (inWord)
        {
            words.Add(PathText.Unescape(word.ToString()));
        }

        return words;
    }

    /// <summary><c>file PATH SPEC</c>.</summary>
    public sealed record SetFile(string Path, ThrottleSpec Limits) : ControlCommand
    {
        /// <inheritdoc/>
        public override RuntimeOverrides ApplyTo(RuntimeOverrides overrides) => overrides.WithFile(Path, new FileEntry(Limits, null));

        /// <inheritdoc/>
        public override ChangeScope Scope => new(File: Path);

        /// <inheritdoc/>
        public override string ToString() => $"file {Quote(Path)} {Limits}";
    }

    /// <summary><c>group NAME SPEC</c>.</summary>
    public sealed record SetGroup(string Name, ThrottleSpec Limits) : ControlCommand
    {
        /// <inheritdoc/>
        public override RuntimeOverrides ApplyTo(RuntimeOverrides overrides) => overrides.WithGroup(Name, Limits);

        /// <inheritdoc/>
        public override ChangeScope Scope => new(Group: Name);

        /// <inheritdoc/>
        public override string ToString() => $"group {Name} {Limits}";
    }

    /// <summary><c>mount SPEC</c>.</summary>
    public sealed record SetMount(ThrottleSpec Limits) : ControlCommand
    {
        /// <inheritdoc/>
        public override RuntimeOverrides ApplyTo(RuntimeOverrides overrides) => overrides with { Mount = overrides.Mount.Then(Limits) };

        /// <inheritdoc/>
        public override ChangeScope Scope => default;

        /// <inheritdoc/>
        public override string ToString() => $"mount {Limits}";
    }

    /// <summary><c>assign PATH GROUP</c>.</summary>
    public sealed record Assign(string Path, string Group) : ControlCommand
    {
        /// <inheritdoc/>
        public override RuntimeOverrides ApplyTo(RuntimeOverrides overrides) => overrides.WithFile(Path, new FileEntry(ThrottleSpec.Empty, Group));

        /// <inheritdoc/>
        public override ChangeScope Scope => new(File: Path);

        /// <inheritdoc/>
        public override string ToString() => $"assign {Quote(Path)} {Group}";
    }

    /// <summary><c>unassign PATH</c>.</summary>
    public sealed record Unassign(string Path) : ControlCommand
    {
        /// <inheritdoc/>
        public override RuntimeOverrides ApplyTo(RuntimeOverrides overrides) => overrides.WithFile(Path, new FileEntry(ThrottleSpec.Empty, ""));

        /// <inheritdoc/>
        public override ChangeScope Scope => new(File: Path);

        /// <inheritdoc/>
        public override string ToString() => $"unassign {Quote(Path)}";
    }

    /// <summary><c>clear file PATH</c>.</summary>
    public sealed record ClearFile(string Path) : ControlCommand
    {
        /// <inheritdoc/>
        public override RuntimeOverrides ApplyTo(RuntimeOverrides overrides) => overrides with { Files = overrides.Files.Remove(Path) };

        /// <inheritdoc/>
        public override ChangeScope Scope => new(File: Path);

        /// <inheritdoc/>
        public override string ToString() => $"clear file {Quote(Path)}";
    }

    /// <summary><c>clear group NAME</c>.</summary>
    public sealed record ClearGroup(string Name) : ControlCommand
    {
        /// <inheritdoc/>
        public override RuntimeOverrides ApplyTo(RuntimeOverrides overrides) => overrides with { Groups = overrides.Groups.Remove(Name) };

        /// <inheritdoc/>
        public override ChangeScope Scope => new(Group: Name);

        /// <inheritdoc/>
        public override string ToString() => $"clear group {Name}";
    }

    /// <summary><c>clear mount</c>.</summary>
    public sealed record ClearMount : ControlCommand
    {
        /// <inheritdoc/>
        public override RuntimeOverrides ApplyTo(RuntimeOverrides overrides) => overrides with { Mount = ThrottleSpec.Empty };

        /// <inheritdoc/>
        public override ChangeScope Scope => default;

        /// <inheritdoc/>
        public override string ToString() => "clear mount";
    }

    /// <summary>
    /// A path as a control line holds it: <see cref="PathText.Escape"/>d (<c>\xHH</c> for a byte that is not UTF-8,
    /// <c>\\</c> for a backslash), and in double quotes when it has blanks or quotes.
    /// </summary>
    public static string Quote(string path)
    {
        var escaped = PathText.Escape(path);
        return escaped.Length == 0 || escaped.Any(char.IsWhiteSpace) || escaped.Contains('"') ? "\"" + escaped.Replace("\"", "\\\"") + "\"" : escaped;
    }
}
