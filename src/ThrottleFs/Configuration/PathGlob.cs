using System.Text;
using System.Text.RegularExpressions;

namespace ThrottleFs.Configuration;

/// <summary>
/// A path pattern relative to the mount root, as in .gitignore: <c>*</c> and <c>?</c> stay within one name,
/// <c>**</c> crosses directories, <c>[abc]</c>, <c>[!abc]</c> and <c>{qcow2,raw}</c> choose. A pattern without a
/// <c>/</c> matches a file name at any depth (<c>*.qcow2</c>); with one it is anchored at the root
/// (<c>images/*.qcow2</c>, <c>/vm1.img</c>).
/// </summary>
internal sealed class PathGlob
{
    private readonly Regex _regex;

    private PathGlob(string pattern, Regex regex)
    {
        Pattern = pattern;
        _regex = regex;
    }

    /// <summary>The pattern as written.</summary>
    public string Pattern { get; }

    /// <summary>Compiles a pattern.</summary>
    /// <exception cref="FormatException">
    /// The pattern is empty, has an unclosed <c>[</c> or <c>{</c>, or a set no character can match (<c>[z-a]</c>).
    /// </exception>
    public static PathGlob Parse(string pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            throw new FormatException("the pattern is empty");
        }

        var body = pattern.TrimStart('/');
        var regex = new StringBuilder("^");
        if (!pattern.Contains('/'))
        {
            regex.Append("(?:.*/)?");
        }

        var braces = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            switch (c)
            {
                case '*' when i + 1 < body.Length && body[i + 1] == '*':
                    var slash = i + 2 < body.Length && body[i + 2] == '/';
                    regex.Append(slash ? "(?:.*/)?" : ".*");
                    i += slash ? 2 : 1;
                    break;
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '[':
                    var close = i + 2 < body.Length ? body.IndexOf(']', i + 2) : -1; // "[]]" is a set of ']', as in shells
                    if (close < 0)
                    {
                        throw new FormatException($"'[' at position {i + 1} is not closed");
                    }

                    var set = body[(i + 1)..close];
                    regex.Append('[').Append(set.StartsWith('!') ? "^" + Escape(set[1..]) : Escape(set)).Append(']');
                    i = close;
                    break;
                case '{':
                    braces++;
                    regex.Append("(?:");
                    break;
                case ',' when braces > 0:
                    regex.Append('|');
                    break;
                case '}' when braces > 0:
                    braces--;
                    regex.Append(')');
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        if (braces > 0)
        {
            throw new FormatException("'{' is not closed");
        }

        regex.Append('$');
        try
        {
            return new PathGlob(pattern, new Regex(regex.ToString(), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking));
        }
        catch (ArgumentException e)
        {
            // What the translation cannot see: a reversed range ([z-a]), a bad character class.
            throw new FormatException($"a set in brackets is not valid ({e.Message.Split('.')[0]})");
        }
    }

    /// <summary>Whether a path relative to the mount root (no leading <c>/</c>) matches.</summary>
    public bool IsMatch(string path) => _regex.IsMatch(path);

    /// <inheritdoc/>
    public override string ToString() => Pattern;

    // Inside a character class only these mean something to .NET.
    private static string Escape(string set) => set.Replace("\\", "\\\\").Replace("[", "\\[").Replace("^", "\\^");
}
