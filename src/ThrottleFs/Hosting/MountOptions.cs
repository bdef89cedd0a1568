using ThrottleFs.Configuration;

namespace ThrottleFs.Hosting;

/// <summary>A mount as the user asked for it on the command line, already checked.</summary>
/// <param name="Source">The backing directory or file.</param>
/// <param name="MountPoint">Where it appears.</param>
/// <param name="Config">Where the settings come from; loaded again when the config file changes.</param>
/// <param name="Settings">The settings as loaded when the command started.</param>
/// <param name="ExtraOptions">Mount options for the platform (<c>-o</c>: ro, noexec, allow_other, ...).</param>
/// <param name="Foreground">Stay in the foreground instead of returning once the mount is ready.</param>
/// <param name="Trace">Log every request and reply.</param>
/// <param name="PageCache">Let the kernel cache file data: faster, but cached reads bypass the limits.</param>
public sealed record MountOptions(
    string Source,
    string MountPoint,
    ConfigSource Config,
    ThrottleFsSettings Settings,
    IReadOnlyList<string> ExtraOptions,
    bool Foreground,
    bool Trace,
    bool PageCache = false);
