using Serilog.Events;

namespace ThrottleFs.Configuration;

/// <summary>Config <c>"logging"</c>: how much to log, and where besides the console.</summary>
/// <param name="Level">Verbose, Debug, Information, Warning, Error or Fatal. Debug adds a line per request that had to wait.</param>
/// <param name="File">A log file, rolled daily with 7 kept; null for the console (or daemon log) only.</param>
internal sealed record LoggingSettings(LogEventLevel Level, string? File)
{
    /// <summary>Information to the console only.</summary>
    public static LoggingSettings Default { get; } = new(LogEventLevel.Information, null);
}
