namespace ThrottleFs.Control;

/// <summary>The files in the control directory.</summary>
public enum ControlFile
{
    /// <summary>Write commands, one per line; read the effective configuration as JSON.</summary>
    Control,

    /// <summary>Recently refused input, newest last.</summary>
    Errors,

    /// <summary>Statistics as JSON.</summary>
    Stats,

    /// <summary>Statistics in Prometheus text format.</summary>
    Metrics,
}
