using Serilog;
using ThrottleFs.Cluster;
using ThrottleFs.Configuration;
using ThrottleFs.Control;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;
using ThrottleFs.Statistics;

namespace ThrottleFs.Throttling;

/// <summary>
/// Which throttle layers each file's reads and writes pass, kept in step with the limits in force. A file gets its
/// own buckets (per-file limits), its group's and the mount's, chained in that order; a layer with no limits is left
/// out, so an unthrottled file costs nothing per request. Caller rules and per-caller groups choose by who opened a
/// handle, so the layers are chosen per handle. Changes (a control-file command, a config reload) are
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
    private readonly Dictionary<string, GroupInstances> _groups = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ProcessNameCache? _processes;
    private readonly ILogger _log;
    private readonly ClusterLink? _cluster;
    private readonly long _started;
    private EffectiveLimits _limits;

    /// <summary>Creates the policy.</summary>
    /// <exception cref="ConfigException">The settings are not valid.</exception>
    /// <param name="settings">The config file's settings.</param>
    /// <param name="timeProvider">The clock the throttles run on.</param>
    /// <param name="log">The mount's log.</param>
    /// <param name="processes">Names the programs that open files, for rules that name them; without it, none matches.</param>
    /// <param name="cluster">Where cluster-wide groups share their limits; without it, they are local.</param>
    public ThrottlePolicy(
        ThrottleFsSettings settings, TimeProvider? timeProvider = null, ILogger? log = null, IProcessNames? processes = null, ClusterLink? cluster = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _processes = processes is null ? null : new ProcessNameCache(processes, _time);
        _log = log ?? Serilog.Core.Logger.None;
        _cluster = cluster;
        _started = _time.GetTimestamp();
        _limits = EffectiveLimits.Resolve(settings, RuntimeOverrides.None);
        Mount = new ThrottleGroup("mount", _limits.Mount, _time);
        SyncGroupsUnsynchronized();
        if (cluster is not null)
        {
            SyncWithCluster();
            cluster.Listen(ApplyShared, SyncWithCluster);
        }
    }

    /// <summary>The mount-wide layer.</summary>
    public ThrottleGroup Mount { get; }

    /// <summary>The limits in force.</summary>
    public EffectiveLimits Limits => Volatile.Read(ref _limits);

    /// <summary>The clock the throttles run on.</summary>
    public TimeProvider Time => _time;

    /// <summary>The log.</summary>
    internal ILogger Log => _log;

    /// <summary>
    /// Applies a live change and returns what it left in force. <paramref name="who"/> says where it came from, for the log.
    /// </summary>
    /// <exception cref="ConfigException">The change is refused; nothing changed.</exception>
    public ChangeOutcome Apply(ControlCommand command, string who) => Apply(command, who, publish: true);

    // A change received from another host is logged as the group's new limits, not as the SPEC of every key it carried.
    private ChangeOutcome Apply(ControlCommand command, string who, bool publish, string? shown = null)
    {
        EffectiveLimits next;
        lock (_lock)
        {
            next = _limits.Apply(command);
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

        var outcome = ChangeOutcome.Of(command, next);
        _log.Information("Limits changed by {Who}: {Command}; now {Now}", who, shown ?? command.ToString(), outcome.Now);
        foreach (var note in outcome.Notes)
        {
            _log.Warning("After {Command}: {Note}", shown ?? command.ToString(), note);
        }

        if (publish && command.Scope.Group is { } changed)
        {
            PublishIfShared(changed);
        }

        return outcome;
    }

    /// <summary>Replaces the config file's settings, keeping the live overrides.</summary>
    /// <exception cref="ConfigException">The new settings, with the live overrides, are refused; nothing changed.</exception>
    public void Reload(ThrottleFsSettings settings, string who)
    {
        List<string> changed;
        lock (_lock)
        {
            // A cluster group edited in the file takes the file's limits, over earlier live changes (from any host):
            // the edit is the newest change, and it goes to every host.
            var before = _limits;
            var overrides = before.Overrides;
            foreach (var name in settings.ClusterGroups.Keys.Where(name => Edited(before.Settings, settings, name)))
            {
                overrides = overrides with { Groups = overrides.Groups.Remove(name) };
            }

            Replace(EffectiveLimits.Resolve(settings, overrides));
            changed = [.. _limits.Groups.Where(group => !before.Groups.TryGetValue(group.Key, out var old) || old != group.Value).Select(group => group.Key)];
        }

        foreach (var name in changed)
        {
            PublishIfShared(name);
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
            foreach (var group in _groups.Values)
            {
                group.DropIdle();
            }

            var groups = _groups.Values
                .SelectMany(instances => instances.Groups.Select(group => Snapshots.Layer(group, instances.LeaseOf(group), _cluster?.Host)))
                .OrderBy(group => group.Name, StringComparer.Ordinal)
                .ToList();
            var files = _files.Values.OrderBy(f => f.Path, StringComparer.Ordinal).Select(file => Snapshots.File(file, _limits)).ToList();
            return new MountStatistics(_time.GetUtcNow(), _time.GetElapsedTime(_started).TotalSeconds, Snapshots.Layer(Mount), groups, files);
        }
    }

    /// <summary>One file's statistics, or null when it has no throttle state.</summary>
    public FileStatistics? GetStatistics(string path)
    {
        lock (_lock)
        {
            return _files.TryGetValue(path, out var file) ? Snapshots.File(file, _limits) : null;
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

    /// <summary>A handle opened on <paramref name="path"/> by <paramref name="caller"/> (null: nobody said who).</summary>
    internal HandleThrottle Open(string path, RequestContext? caller = null)
    {
        // The program's name is a lookup in /proc: done before taking the lock, and only when a rule needs it.
        var needsProcess = Limits.UsesProcess && caller is not null;
        var process = needsProcess ? ExecutableOf(caller!.Value.Pid) : null;
        lock (_lock)
        {
            if (!_files.TryGetValue(path, out var file))
            {
                file = new FileThrottle(path, this);
                file.Configure(_limits, Mount);
                _files.Add(path, file);
            }
            else if (file.Retained is { } retained)
            {
                _closed.Remove(retained);
                file.Retained = null;
            }

            return file.Open(caller, process, needsProcess, _limits);
        }
    }

    internal void Close(HandleThrottle handle)
    {
        var file = handle.File;
        lock (_lock)
        {
            file.Close(handle);
            if (file.IsOpen)
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

    /// <summary>The buckets of group <paramref name="name"/>, which the limits in force define. Under the lock.</summary>
    internal GroupInstances GroupsByName(string name) => _groups[name];

    /// <summary>The executable's name of process <paramref name="pid"/>, when the host can tell.</summary>
    internal string? ExecutableOf(uint pid) => _processes?.ExecutableOf(pid);

    private void Replace(EffectiveLimits next)
    {
        Mount.Reconfigure(next.Mount);

        // A group now kept per caller, or no longer, starts over with new buckets once its files have left the old.
        var before = _limits.Settings;
        var replaced = _groups.Values.Where(group => next.Groups.ContainsKey(group.Name) &&
            (group.Per != next.PerOf(group.Name) || group.IsClusterWide != IsShared(next, group.Name) ||
             before.ClusterGroups.GetValueOrDefault(group.Name)?.ToString() != next.Settings.ClusterGroups.GetValueOrDefault(group.Name)?.ToString())).ToList();
        foreach (var group in replaced)
        {
            _groups.Remove(group.Name);
        }

        Volatile.Write(ref _limits, next); // the data path and readers of Limits take no lock
        SyncGroupsUnsynchronized();
        foreach (var file in _files.Values)
        {
            ConfigureUnsynchronized(file);
        }

        // Groups no longer named, or replaced: their files have just left them.
        foreach (var name in _groups.Keys.Where(name => !next.Groups.ContainsKey(name)).ToList())
        {
            _groups.Remove(name, out var group);
            replaced.Add(group!);
        }

        foreach (var group in replaced)
        {
            group.Dispose();
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
            _groups.Add(name, new GroupInstances(name, config, _limits.PerOf(name), _time, ShareFor(name)));
        }
    }

    private bool IsShared(EffectiveLimits limits, string group) => _cluster is not null && limits.IsClusterWide(group);

    // A cluster-wide group's instances lease their credit from the cluster, each under its own name.
    private Func<ThrottleGroup, SharedLease>? ShareFor(string name)
    {
        if (_cluster is not { } cluster || !_limits.Settings.ClusterGroups.TryGetValue(name, out var fallback))
        {
            return null;
        }

        return group => new SharedLease(group, cluster.Host, cluster.Buckets, fallback.IsEmpty ? null : fallback, status => OnLeaseSwitched(group.Name, status));
    }

    private void OnLeaseSwitched(string group, SharedLeaseStatus status)
    {
        if (status.Mode == SharedLeaseMode.Fallback)
        {
            _log.Warning(
                "Cluster group {Group}: {Reason}; this host runs it on its fallback share ({Local}) until Redis answers",
                group, status.Reason, status.LocalLimits?.Summary);
        }
        else
        {
            _log.Information("Cluster group {Group}: Redis answers again; sharing the cluster's limits ({Hosts} hosts seen)", group, status.Hosts.Count);
        }
    }

    // Another host changed a cluster group's limits (or they were stored before this host mounted): they apply here as a
    // live change, not published again. A change that does not fit this host's config is refused here, and logged.
    private void ApplyShared(string group, ThrottleSpec limits, string host)
    {
        var current = Limits;
        if (!IsShared(current, group) || !current.Groups.TryGetValue(group, out var config))
        {
            return;
        }

        try
        {
            var next = limits.ApplyTo(config);
            if (ClusterLink.LimitsSpec(next) != ClusterLink.LimitsSpec(config))
            {
                Apply(new ControlCommand.SetGroup(group, limits), $"cluster host {host}", publish: false, shown: $"group {group} {next.Summary}");
            }
        }
        catch (Exception e) when (e is ConfigException or ThrottleConfigException)
        {
            _log.Warning("Cluster: limits for {Group} from host {Host} refused here: {Reason}", group, host, e.Message);
        }
    }

    // At mount and whenever the connection comes back: take the limits stored in Redis, unless this host's config file
    // says of the group something else than the file they were made from did (an edit made while this host was away
    // is the newest change); store this host's when none are (the first host, or a Redis that came back empty).
    private void SyncWithCluster()
    {
        var limits = Limits;
        foreach (var group in limits.Settings.ClusterGroups.Keys.Where(limits.Groups.ContainsKey))
        {
            var file = FileSpec(limits.Settings, group);
            if (_cluster!.StoredLimits(group) is { } stored)
            {
                if (stored.File == file)
                {
                    ApplyShared(group, stored.Limits, "(stored in Redis)");
                }
                else
                {
                    _log.Information(
                        "Cluster group {Group}: this host's config says {File}, the cluster's limits were made from {Stored}; the file is newer, so its limits go to every host",
                        group, file, stored.File);
                    _cluster.Publish(group, limits.Groups[group], file);
                }
            }
            else if (_cluster.IsConnected)
            {
                _cluster.Publish(group, limits.Groups[group], file, onlyIfNone: true);
            }
        }
    }

    private void PublishIfShared(string group)
    {
        var limits = Limits;
        if (IsShared(limits, group) && limits.Groups.TryGetValue(group, out var config))
        {
            _cluster!.Publish(group, config, FileSpec(limits.Settings, group));
        }
    }

    private static string FileSpec(ThrottleFsSettings settings, string group) => settings.Groups.GetValueOrDefault(group)?.ToString() ?? "";

    private static bool Edited(ThrottleFsSettings before, ThrottleFsSettings after, string group) =>
        before.Groups.GetValueOrDefault(group)?.ToString() != after.Groups.GetValueOrDefault(group)?.ToString();

    private void ConfigureUnsynchronized(FileThrottle file) => file.Configure(_limits, Mount);
}
