namespace ThrottleFs.Configuration;

/// <summary>Group names: letters, digits, '.', '_' and '-', so they fit a control-file line and a Prometheus label unquoted.</summary>
internal static class GroupName
{
    /// <summary>Whether <paramref name="name"/> may name a group.</summary>
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 128 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>Why a name is refused, for error messages.</summary>
    public static string Problem(string name) =>
        $"'{name}' is not a valid group name (use letters, digits, '.', '_' and '-', at most 128)";
}
