using Serilog;
using ThrottleFs.Cluster;
using ThrottleFs.Configuration;
using ThrottleFs.Control;
using ThrottleFs.FileSystem;
using ThrottleFs.Logging;
using ThrottleFs.Statistics;
using ThrottleFs.Throttling;

namespace ThrottleFs.Hosting;

/// <summary>
/// What every mount serves, assembled in this one place for every host: the backing filesystem the host provides,
/// then the throttle (<see cref="ThrottledFileSystem"/> over the <see cref="ThrottlePolicy"/>), then the control
/// directory and attributes (<see cref="ControlFileSystem"/> over the <see cref="ControlPanel"/>); with the log and the
/// watcher that applies config edits live. The host serves <see cref="FileSystem"/>, and disposes the stack once the
/// mount is gone; the backing filesystem stays the host's to dispose.
/// </summary>
public sealed class MountStack : IDisposable
{
    private readonly MountOptions _options;
    private readonly ThrottleFsLog _log;
    private readonly ConfigWatcher? _watcher;
    private readonly ClusterLink? _cluster;
    private readonly MetricsEndpoint? _metrics;

    private MountStack(MountOptions options, IFileSystem backing, MountOwner owner, IProcessNames processes, TimeProvider time)
    {
        _options = options;
        _log = ThrottleFsLog.Create(options.Settings.Logging);
        try
        {
            _cluster = options.Settings.Cluster is { } cluster ? ClusterLink.Connect(cluster, _log.Logger) : null;
            Policy = new ThrottlePolicy(options.Settings, time, _log.Logger, processes, _cluster);
            Panel = new ControlPanel(Policy, _log.Logger, owner.Uid);
            FileSystem = new ControlFileSystem(new ThrottledFileSystem(backing, Policy, Panel.Tracer), Panel, options.Settings.ControlDirectory, owner.Gid, processes);
            _metrics = options.Settings.MetricsListen is { } listen ? MetricsEndpoint.Start(listen, Policy.GetStatistics) : null;
            _watcher = WatchConfig();
        }
        catch
        {
            _metrics?.Dispose();
            Policy?.Dispose();
            _cluster?.Dispose();
            _log.Dispose();
            throw;
        }
    }

    /// <summary>The filesystem to serve: the top of the stack.</summary>
    public IFileSystem FileSystem { get; }

    /// <summary>The limits in force and the throttle state of every file.</summary>
    internal ThrottlePolicy Policy { get; }

    /// <summary>What the control files and attributes do.</summary>
    internal ControlPanel Panel { get; }

    /// <summary>The mount's log.</summary>
    public ILogger Log => _log.Logger;

    /// <summary>Assembles the stack over <paramref name="backing"/>.</summary>
    /// <param name="options">The mount as asked for.</param>
    /// <param name="backing">The host's filesystem of the source.</param>
    /// <param name="owner">Who mounted: they and root may change limits, and the control files are theirs.</param>
    /// <param name="processes">Names the process behind a change, for the log, and the programs rules name.</param>
    /// <param name="time">The clock the throttles run on (tests pass a virtual one).</param>
    /// <exception cref="ConfigException">The settings are not valid.</exception>
    /// <exception cref="IOException">Something the settings ask for cannot be had (metrics-listen on a port in use).</exception>
    public static MountStack Build(MountOptions options, IFileSystem backing, MountOwner owner, IProcessNames processes, TimeProvider? time = null) =>
        new(options, backing, owner, processes, time ?? TimeProvider.System);

    /// <summary>Logs that the mount is up, and with which limits.</summary>
    public void LogMounted()
    {
        var limits = Policy.Limits;
        Log.Information(
            "Mounted {Source} at {MountPoint} (config {Config}; file limits {FileLimits}; mount limits {MountLimits}; {Groups} groups, {Rules} rules)",
            _options.Source, _options.MountPoint, _options.Config.FilePath, limits.FileDefault.Summary, limits.Mount.Summary,
            limits.Groups.Count, limits.Settings.Rules.Length);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _watcher?.Dispose();
        _metrics?.Dispose();
        Panel.Tracer.Dispose(); // finishes a running trace's file
        Policy.Dispose();
        _cluster?.Dispose();
        _log.Dispose();
    }

    // Edits of the config file apply live. Without inotify watches left the mount still works, with the limits it
    // started with and the control file.
    private ConfigWatcher? WatchConfig()
    {
        try
        {
            return new ConfigWatcher(_options.Config.FilePath, () =>
            {
                if (Panel.Reload(_options.Config))
                {
                    _log.Follow(Policy.Limits.Settings.Logging);
                    if (Policy.Limits.Settings.ControlDirectory != _options.Settings.ControlDirectory)
                    {
                        Log.Warning("control-directory changed to {Name}; it takes effect at the next mount", Policy.Limits.Settings.ControlDirectory);
                    }

                    if (Policy.Limits.Settings.MetricsListen != _options.Settings.MetricsListen)
                    {
                        Log.Warning("metrics-listen changed to {Address}; it takes effect at the next mount", Policy.Limits.Settings.MetricsListen ?? "(none)");
                    }

                    if (Policy.Limits.Settings.Cluster != _options.Settings.Cluster)
                    {
                        Log.Warning("the cluster section changed; it takes effect at the next mount");
                    }
                }
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warning("Cannot watch {Config} ({Reason}); edits to it apply at the next mount", _options.Config.FilePath, e.Message);
            return null;
        }
    }
}
