namespace ThrottleFs.Control;

/// <summary>The files in the control directory.</summary>
internal enum ControlFile
{
    /// <summary>Write commands, one per line; read the effective configuration as JSON.</summary>
    Control,

    /// <summary>Recently refused input, newest last.</summary>
    Errors,

    /// <summary>Statistics as JSON.</summary>
    Stats,

    /// <summary>Statistics in Prometheus text format.</summary>
    Metrics,

    /// <summary>Recently accepted changes and what each left in force, newest last.</summary>
    Changes,

    /// <summary>The running trace and its counts, or how the last one ended.</summary>
    Trace,
}

/// <summary>The names the control files have in the directory, for the mount and for the commands that read them.</summary>
internal static class ControlFiles
{
    /// <summary>Every control file, in listing order.</summary>
    public static IReadOnlyList<ControlFile> All { get; } = Enum.GetValues<ControlFile>();

    /// <summary>The file's name: <c>control</c>, <c>errors</c>, <c>stats</c>, <c>metrics</c>, <c>changes</c> or <c>trace</c>.</summary>
    public static string Name(this ControlFile file) => file switch
    {
        ControlFile.Control => "control",
        ControlFile.Errors => "errors",
        ControlFile.Stats => "stats",
        ControlFile.Metrics => "metrics",
        ControlFile.Changes => "changes",
        _ => "trace",
    };
}
