namespace ThrottleFs.Configuration;

/// <summary>
/// The name of the control directory at a mount's root (config <c>control-directory</c>): one path component, so
/// the mount, the config and the commands that read a running mount agree on where the control files are.
/// </summary>
internal static class ControlDirectoryName
{
    /// <summary>The name unless the config says otherwise.</summary>
    public const string Default = ".throttlefs";

    /// <summary>Whether <paramref name="name"/> can name the control directory: one path component, not <c>.</c> or <c>..</c>.</summary>
    public static bool IsValid(string name) =>
        name.Length > 0 && name is not ("." or "..") && name.IndexOfAny(['/', '\\', '\0']) < 0;
}
