using ThrottleFs.Configuration;
using ThrottleFs.Qos;

namespace ThrottleFs.Throttling;

/// <summary>
/// The buckets of one configured group: a single <see cref="ThrottleGroup"/> that all its files share or, for a group
/// kept <c>"per"</c> caller, one for each user, group or program that opens its files (named <c>users[uid=1000]</c>),
/// made when that caller first opens one and dropped once nobody has used it for <see cref="IdleLifetime"/> and its
/// buckets have drained, so dropping it forgets nothing a fresh one would not also know. A cluster-wide group's instances
/// each spend credit leased from the cluster (<see cref="SharedLease"/>), named alike on every host. Guarded by the
/// policy's lock.
/// </summary>
internal sealed class GroupInstances : IDisposable
{
    /// <summary>How long a caller's instance outlives its last open file, so its statistics stay to be read.</summary>
    public static readonly TimeSpan IdleLifetime = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly Func<ThrottleGroup, SharedLease>? _share;
    private readonly Dictionary<string, Instance> _instances = new(StringComparer.Ordinal);
    private ThrottleConfig _config;

    /// <param name="name">The group's name in the config.</param>
    /// <param name="config">Its limits.</param>
    /// <param name="per">What it keeps separate buckets for; null: one set.</param>
    /// <param name="time">The clock.</param>
    /// <param name="share">For a cluster-wide group, puts an instance on leases from the cluster; null for a local one.</param>
    public GroupInstances(string name, ThrottleConfig config, CallerField? per, TimeProvider time, Func<ThrottleGroup, SharedLease>? share = null)
    {
        Name = name;
        Per = per;
        _config = config;
        _time = time;
        _share = share;
        if (per is null)
        {
            _instances.Add(name, Make(name));
        }
    }

    /// <summary>Whether the instances lease their credit from the cluster.</summary>
    public bool IsClusterWide => _share is not null;

    /// <summary>The group's name in the config.</summary>
    public string Name { get; }

    /// <summary>What the group keeps separate buckets for, or null for one set.</summary>
    public CallerField? Per { get; }

    /// <summary>Every instance there is now.</summary>
    public IEnumerable<ThrottleGroup> Groups => _instances.Values.Select(instance => instance.Group);

    /// <summary>The lease of instance <paramref name="group"/>, when the group is cluster-wide.</summary>
    public SharedLease? LeaseOf(ThrottleGroup group) => _instances.TryGetValue(group.Name, out var instance) ? instance.Lease : null;

    /// <summary>The name of the instance <paramref name="opener"/>'s files join: <c>users[uid=1000]</c>, or the group's.</summary>
    public string InstanceName(Opener opener) => Per is { } per ? $"{Name}[{opener.ValueOf(per)}]" : Name;

    /// <summary>The group <paramref name="opener"/>'s files join; the caller must <see cref="Release"/> it.</summary>
    public ThrottleGroup Acquire(Opener opener)
    {
        var name = InstanceName(opener);
        if (!_instances.TryGetValue(name, out var instance))
        {
            DropIdle();
            instance = Make(name);
            _instances.Add(name, instance);
        }

        instance.Users++;
        return instance.Group;
    }

    /// <summary>One user of <paramref name="group"/> is gone.</summary>
    public void Release(ThrottleGroup group)
    {
        if (_instances.TryGetValue(group.Name, out var instance) && instance.Group == group && --instance.Users == 0)
        {
            instance.IdleSince = _time.GetTimestamp();
        }
    }

    /// <summary>New limits for every instance.</summary>
    public void Reconfigure(ThrottleConfig config)
    {
        _config = config;
        foreach (var instance in _instances.Values)
        {
            if (instance.Lease is { } lease)
            {
                lease.Reconfigure(config);
            }
            else
            {
                instance.Group.Reconfigure(config);
            }
        }
    }

    /// <summary>Drops the callers' instances nobody has used for <see cref="IdleLifetime"/> whose buckets have drained.</summary>
    public void DropIdle()
    {
        if (Per is null)
        {
            return;
        }

        List<string>? idle = null;
        foreach (var (name, instance) in _instances)
        {
            if (instance.Users == 0 && _time.GetElapsedTime(instance.IdleSince) >= IdleLifetime &&
                instance.Group.GetStatistics().Buckets.All(bucket => bucket.Level <= 0))
            {
                (idle ??= []).Add(name);
            }
        }

        foreach (var name in idle ?? [])
        {
            _instances.Remove(name, out var instance);
            instance!.Dispose();
        }
    }

    /// <summary>Stops every instance, failing what waits in them.</summary>
    public void Dispose()
    {
        foreach (var instance in _instances.Values)
        {
            instance.Dispose();
        }

        _instances.Clear();
    }

    private Instance Make(string name)
    {
        var group = new ThrottleGroup(name, _config, _time);
        try
        {
            return new Instance(group, _share?.Invoke(group));
        }
        catch
        {
            group.Dispose();
            throw;
        }
    }

    private sealed class Instance(ThrottleGroup group, SharedLease? lease)
    {
        public ThrottleGroup Group { get; } = group;

        public SharedLease? Lease { get; } = lease;

        // The lease first: it gives back the credit held, then the group fails what still waits.
        public void Dispose()
        {
            Lease?.Dispose();
            Group.Dispose();
        }

        public int Users { get; set; }

        public long IdleSince { get; set; }
    }
}
