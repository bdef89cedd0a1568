using ThrottleFs.FileSystem;

namespace ThrottleFs.Tracing;

/// <summary>
/// File names as a trace line holds them: relative to the mount root, as limits and rules name files, so a trace
/// replays against the mount from its root (<c>cd MOUNTPOINT; fio --read_iolog=TRACE</c>) and simulates against
/// the same path rules. fio splits a line at blanks, so a name is written <see cref="PathText.Escape"/>d with a
/// blank as <c>\x20</c>.
/// </summary>
internal static class TraceNames
{
    /// <summary>The name as a line holds it.</summary>
    public static string Write(string path)
    {
        var escaped = PathText.Escape(path);
        return escaped.Contains(' ') ? escaped.Replace(" ", "\\x20") : escaped;
    }

    /// <summary>A name read from a line, back as the path it names.</summary>
    public static string Read(string name) => PathText.Unescape(name);
}
