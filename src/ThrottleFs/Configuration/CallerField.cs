namespace ThrottleFs.Configuration;

/// <summary>What a group may keep separate buckets for (<c>"per": "uid"</c>): one set per user, group or program.</summary>
internal enum CallerField
{
    /// <summary>The opener's user id.</summary>
    Uid,

    /// <summary>The opener's primary group id.</summary>
    Gid,

    /// <summary>The opener's executable name.</summary>
    Process,
}

/// <summary>The config words for <see cref="CallerField"/>.</summary>
internal static class CallerFields
{
    /// <summary>The words <c>"per"</c> takes.</summary>
    public const string Words = "uid, gid, process";

    /// <summary>Parses <c>uid</c>, <c>gid</c> or <c>process</c>, ignoring case.</summary>
    public static bool TryParse(string? word, out CallerField field)
    {
        switch (word?.ToLowerInvariant())
        {
            case "uid":
                field = CallerField.Uid;
                return true;
            case "gid":
                field = CallerField.Gid;
                return true;
            case "process":
                field = CallerField.Process;
                return true;
            default:
                field = default;
                return false;
        }
    }

    /// <summary>The config word.</summary>
    public static string Word(this CallerField field) => field.ToString().ToLowerInvariant();
}
