using Serilog;
using Serilog.Core;
using Serilog.Events;
using ThrottleFs.Configuration;

namespace ThrottleFs.Logging;

/// <summary>
/// The daemon's log: human-readable lines on standard error (which the daemon points at its log file once the mount
/// is ready), and optionally a file rolled daily. The level follows the config live through <see cref="Level"/>;
/// a new log file takes a remount.
/// </summary>
internal sealed class ThrottleFsLog : IDisposable
{
    private const string Template = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {Message:lj}{NewLine}{Exception}";

    private ThrottleFsLog(Logger logger, LoggingLevelSwitch level, string? file)
    {
        Logger = logger;
        Level = level;
        File = file;
    }

    /// <summary>The logger.</summary>
    public Logger Logger { get; }

    /// <summary>The minimum level, changed when the config is reloaded.</summary>
    public LoggingLevelSwitch Level { get; }

    /// <summary>The log file, when there is one.</summary>
    public string? File { get; }

    /// <summary>Creates the log the settings ask for.</summary>
    public static ThrottleFsLog Create(LoggingSettings settings)
    {
        var level = new LoggingLevelSwitch(settings.Level);
        var configuration = new LoggerConfiguration()
            .MinimumLevel.ControlledBy(level)
            .WriteTo.Console(outputTemplate: Template, standardErrorFromLevel: LogEventLevel.Verbose, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        if (settings.File is { } file)
        {
            configuration = configuration.WriteTo.File(
                file,
                outputTemplate: Template,
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 7,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        }

        // Started by systemd (a mount from fstab): the journal too, where the rest of the system logs.
        if (JournalSink.StartedBySystemd && JournalSink.TryOpen() is { } journal)
        {
            configuration = configuration.WriteTo.Sink(journal);
        }

        return new ThrottleFsLog(configuration.CreateLogger(), level, settings.File);
    }

    /// <summary>Follows a reloaded config: the level changes at once; a different file is only noted.</summary>
    public void Follow(LoggingSettings settings)
    {
        if (Level.MinimumLevel != settings.Level)
        {
            Logger.Information("Log level changed from {Old} to {New}", Level.MinimumLevel, settings.Level);
            Level.MinimumLevel = settings.Level;
        }

        if (settings.File != File)
        {
            Logger.Warning("logging.file changed to {File}; it takes effect at the next mount", settings.File ?? "(none)");
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Logger.Dispose();
}
