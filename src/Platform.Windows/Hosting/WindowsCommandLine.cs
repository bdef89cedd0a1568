using System.Text;

namespace ThrottleFs.Platform.Windows.Hosting;

/// <summary>
/// Joins arguments into one Windows command line that CommandLineToArgvW (and .NET's Main) splits back into the same
/// arguments, as a service's binPath must be.
/// </summary>
internal static class WindowsCommandLine
{
    public static string Join(IEnumerable<string> arguments) => string.Join(' ', arguments.Select(Quote));

    public static string Quote(string argument)
    {
        if (argument.Length > 0 && argument.AsSpan().IndexOfAny(" \t\"") < 0)
        {
            return argument;
        }

        // Backslashes are literal except before a quote, where each must be doubled; so also before the closing one.
        var text = new StringBuilder("\"");
        var backslashes = 0;
        foreach (var c in argument)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            text.Append('\\', c == '"' ? backslashes * 2 + 1 : backslashes).Append(c);
            backslashes = 0;
        }

        return text.Append('\\', backslashes * 2).Append('"').ToString();
    }
}
