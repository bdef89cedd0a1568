using Serilog;
using ThrottleFs.Configuration;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;
using ThrottleFs.Statistics;

namespace ThrottleFs.Throttling;

/// <summary>
/// Which throttle layers each file's reads and writes pass, kept in step with the limits in force. A file gets its
/// own buckets (per-file limits), its group's and the mount's, chained in that order; a layer with no limits is left
/// out, so an unthrottled file costs nothing per request. Changes (a control-file command, a config reload) are
/// validated whole first: a refused change leaves everything as it was; an accepted one reaches the files at once,
/// requests already waiting included.
/// </summary>
internal sealed class ThrottlePolicy : IDisposable
{
    /// <summary>How many closed files keep their state (buckets and counters) before the oldest is dropped.</summary>
    public const int RetainedClosedFiles = 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, FileThrottle> _files = new(StringComparer.Ordinal);
    private readonly LinkedList<FileThrottle> _closed = new();
    private readonly Dictionary<string, ThrottleGroup> _groups = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly long _started;
    private EffectiveLimits _limits;

    /// <summary>Creates the policy.</summary>
    /// <exception cref="ConfigException">The settings are not valid.</exception>
    public ThrottlePolicy(ThrottleFsSettings settings, TimeProvider? timeProvider = null, ILogger? log = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _log = log ?? Serilog.Core.Logger.None;
        _started = _time.GetTimestamp();
        _limits = EffectiveLimits.Resolve(settings, RuntimeOverrides.None);
        Mount = new ThrottleGroup("mount", _limits.Mount, _time);
        SyncGroupsUnsynchronized();
    }

    /// <summary>The mount-wide layer.</summary>
    public ThrottleGroup Mount { get; }

    /// <summary>The limits in force.</summary>
    public EffectiveLimits Limits => Volatile.Read(ref _limits);

    /// <summary>The clock the throttles run on.</summary>
    public TimeProvider Time => _time;

    /// <summary>The log.</summary>
    internal ILogger Log => _log;

    /// <summary>Applies a live change. <paramref name="who"/> says where it came from, for the log.</summary>
    /// <exception cref="ConfigException">The change is refused; nothing changed.</exception>
    public void Apply(ControlCommand command, string who)
    {
        lock (_lock)
        {
            var next = _limits.Apply(command);
            Volatile.Write(ref _limits, next); // the data path and readers of Limits take no lock
            switch (command.Scope)
            {
                case { File: { } path }:
                    if (_files.TryGetValue(path, out var file))
                    {
                        ConfigureUnsynchronized(file);
                    }

                    break;
                case { Group: { } name }:
                    SyncGroupUnsynchronized(name);
                    break;
                default:
                    // Files leave an unlimited mount layer out of their chains: when it gains or loses its limits,
                    // every chain changes.
                    var switched = Mount.Config.IsEnabled != next.Mount.IsEnabled;
                    Mount.Reconfigure(next.Mount);
                    if (switched)
                    {
                        foreach (var each in _files.Values)
                        {
                            ConfigureUnsynchronized(each);
                        }
                    }

                    break;
            }
        }

        _log.Information("Limits changed by {Who}: {Command}", who, command.ToString());
    }

    /// <summary>Replaces the config file's settings, keeping the live overrides.</summary>
    /// <exception cref="ConfigException">The new settings, with the live overrides, are refused; nothing changed.</exception>
    public void Reload(ThrottleFsSettings settings, string who)
    {
        lock (_lock)
        {
            Replace(EffectiveLimits.Resolve(settings, _limits.Overrides));
        }

        var limits = Limits;
        _log.Information(
            "Configuration reloaded from {Who}: file limits {FileLimits}; mount limits {MountLimits}; groups {Groups}; {Rules} rules, {Files} file entries",
            who,
            limits.FileDefault.Summary,
            limits.Mount.Summary,
            string.Join(", ", limits.Groups.Select(group => $"{group.Key} {group.Value.Summary}")),
            limits.Settings.Rules.Length,
            limits.Entries.Count);
    }

    /// <summary>A snapshot of every layer and file.</summary>
    public MountStatistics GetStatistics()
    {
        lock (_lock)
        {
            var groups = _groups.Values.OrderBy(g => g.Name, StringComparer.Ordinal).Select(Snapshots.Layer).ToList();
            var files = _files.Values.OrderBy(f => f.Path, StringComparer.Ordinal).Select(Snapshots.File).ToList();
            return new MountStatistics(_time.GetUtcNow(), _time.GetElapsedTime(_started).TotalSeconds, Snapshots.Layer(Mount), groups, files);
        }
    }

    /// <summary>One file's statistics, or null when it has no throttle state.</summary>
    public FileStatistics? GetStatistics(string path)
    {
        lock (_lock)
        {
            return _files.TryGetValue(path, out var file) ? Snapshots.File(file) : null;
        }
    }

    /// <summary>
    /// Stops every layer. Requests still waiting fail (<see cref="Errno.EIO"/> through <see cref="PendingAdmission"/>):
    /// the shared layers are disposed before the files leave them, since a member that leaves lets its waiting
    /// requests go. Nothing may use the policy afterwards.
    /// </summary>
    public void Dispose()
    {
        lock (_lock)
        {
            Mount.Dispose();
            foreach (var group in _groups.Values)
            {
                group.Dispose();
            }

            foreach (var file in _files.Values)
            {
                file.Dispose();
            }

            _files.Clear();
            _closed.Clear();
            _groups.Clear();
        }
    }

    internal FileThrottle Open(string path)
    {
        lock (_lock)
        {
            if (!_files.TryGetValue(path, out var file))
            {
                file = new FileThrottle(path, this);
                ConfigureUnsynchronized(file);
                _files.Add(path, file);
            }
            else if (file.Retained is { } retained)
            {
                _closed.Remove(retained);
                file.Retained = null;
            }

            file.Opens++;
            return file;
        }
    }

    internal void Close(FileThrottle file)
    {
        lock (_lock)
        {
            if (--file.Opens > 0)
            {
                return;
            }

            file.Retained = _closed.AddLast(file);
            if (_closed.Count <= RetainedClosedFiles)
            {
                return;
            }

            file = _closed.First!.Value;
            _closed.RemoveFirst();
            _files.Remove(file.Path);
        }

        file.Dispose();
    }

    private void Replace(EffectiveLimits next)
    {
        Volatile.Write(ref _limits, next); // the data path and readers of Limits take no lock
        Mount.Reconfigure(next.Mount);
        SyncGroupsUnsynchronized();
        foreach (var file in _files.Values)
        {
            ConfigureUnsynchronized(file);
        }

        // Groups no longer named: their files have just left them.
        foreach (var name in _groups.Keys.Where(name => !next.Groups.ContainsKey(name)).ToList())
        {
            _groups.Remove(name, out var group);
            group!.Dispose();
        }
    }

    private void SyncGroupsUnsynchronized()
    {
        foreach (var name in _limits.Groups.Keys)
        {
            SyncGroupUnsynchronized(name);
        }
    }

    // One group's object in step with its limits: created, reconfigured, or (once nothing may name it) removed.
    private void SyncGroupUnsynchronized(string name)
    {
        var exists = _groups.TryGetValue(name, out var group);
        if (!_limits.Groups.TryGetValue(name, out var config))
        {
            if (exists)
            {
                _groups.Remove(name);
                group!.Dispose();
            }
        }
        else if (exists)
        {
            group!.Reconfigure(config);
        }
        else
        {
            _groups.Add(name, new ThrottleGroup(name, config, _time));
        }
    }

    private void ConfigureUnsynchronized(FileThrottle file)
    {
        var (own, group) = _limits.ForFile(file.Path);
        file.Configure(own, group is null ? null : _groups[group], Mount);
    }
}
