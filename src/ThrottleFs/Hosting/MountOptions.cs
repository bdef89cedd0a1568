using ThrottleFs.Configuration;

namespace ThrottleFs.Hosting;

/// <summary>
/// A mount as the user asked for it on the command line, already checked. The hosts read it; where the settings come
/// from is the core's business (<see cref="MountStack"/> loads and watches them), so only the core can make one.
/// </summary>
public sealed record MountOptions
{
    internal MountOptions(ConfigSource config, ThrottleFsSettings settings) => (Config, Settings) = (config, settings);

    /// <summary>The backing directory or file.</summary>
    public required string Source { get; init; }

    /// <summary>Where it appears.</summary>
    public required string MountPoint { get; init; }

    /// <summary>Mount options for the platform (<c>-o</c>: ro, noexec, allow_other, ...).</summary>
    public IReadOnlyList<string> ExtraOptions { get; init; } = [];

    /// <summary>Stay in the foreground instead of returning once the mount is ready.</summary>
    public bool Foreground { get; init; }

    /// <summary>Log every request and reply.</summary>
    public bool Trace { get; init; }

    /// <summary>Let the kernel cache file data: faster, but cached reads bypass the limits.</summary>
    public bool PageCache { get; init; }

    /// <summary>How requests travel between the kernel and the daemon.</summary>
    public KernelTransport Transport { get; init; }

    /// <summary>Where the settings come from; loaded again when the config file changes.</summary>
    internal ConfigSource Config { get; }

    /// <summary>The settings as loaded when the command started.</summary>
    internal ThrottleFsSettings Settings { get; }
}
