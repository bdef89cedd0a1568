using ThrottleFs.Configuration;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;

namespace ThrottleFs.Throttling;

/// <summary>
/// The throttle state of one file, by path: its own buckets (when it has limits of its own), its places in groups and
/// in the mount-wide layer, its open handles, and end-to-end counters. It outlives the open handles for a while, so
/// closing and reopening a file neither resets its burst budget nor loses its statistics. Usually every handle takes
/// one way through the layers; caller rules and per-caller groups may send one opener's handles another way (own
/// buckets of the rule's, a user's instance of a group). Requests are admitted by the handle
/// (<see cref="HandleThrottle"/>); <see cref="ThrottledFileSystem"/> is one user.
/// </summary>
internal sealed class FileThrottle(string path, ThrottlePolicy policy)
{
    public string Path { get; } = path;

    /// <summary>The policy the file belongs to: its clock and log.</summary>
    public ThrottlePolicy Policy { get; } = policy;

    public AdmissionMeter Meter { get; } = new();

    // The rest is guarded by the policy's lock.

    /// <summary>Open handles now.</summary>
    public int Opens
    {
        get
        {
            var count = 0;
            for (var handle = _handles; handle is not null; handle = handle.Next)
            {
                count++;
            }

            return count;
        }
    }

    /// <summary>Whether a handle is open on the file.</summary>
    public bool IsOpen => _handles is not null;

    public LinkedListNode<FileThrottle>? Retained { get; set; }

    /// <summary>The own buckets that openers no caller rule names pass (the only ones, without caller rules), or null.</summary>
    public ThrottleGroup? Own => _ownMember?.Group;

    /// <summary>The groups (instances) the file's open handles pass.</summary>
    public IEnumerable<ThrottleGroup> Groups
    {
        get
        {
            for (var seat = _seats; seat is not null; seat = seat.Next)
            {
                yield return seat.Group;
            }
        }
    }

    private HandleThrottle? _handles;
    private ThrottleGroupMember? _ownMember;
    private RuleBuckets? _ruleOwns; // a caller rule's own buckets: rare, so a list of their own and no cost otherwise
    private GroupSeat? _seats;
    private ThrottleGroupMember? _mountMember;

    /// <summary>A new handle on the file, put on its way through the layers.</summary>
    public HandleThrottle Open(RequestContext? caller, string? process, bool processKnown, EffectiveLimits limits)
    {
        var handle = new HandleThrottle(this, caller) { Process = process, ProcessKnown = processKnown, Next = _handles };
        _handles = handle;
        var retired = new List<IDisposable>();
        Route(handle, limits, retired);
        Retire(retired);
        return handle;
    }

    /// <summary>A handle closed: its seat in a group is given up when it was the last to pass it.</summary>
    public void Close(HandleThrottle handle)
    {
        ref var link = ref _handles;
        while (link is not null && link != handle)
        {
            link = ref link.Next;
        }

        if (link is null)
        {
            return;
        }

        link = handle.Next;
        handle.Route(ThrottleChain.Empty);
        if (handle.Seat is { } seat && --seat.Handles == 0)
        {
            Remove(seat);
            seat.Dispose();
        }
    }

    /// <summary>
    /// Brings the file in step with <paramref name="limits"/> and <paramref name="mount"/>. Requests waiting in a
    /// layer that changes limits are re-evaluated by it; requests waiting in a layer the file leaves are let go, as
    /// QEMU drains a member that leaves its group.
    /// </summary>
    public void Configure(EffectiveLimits limits, ThrottleGroup mount)
    {
        var retired = new List<IDisposable>();

        // An unlimited mount layer limits nothing and is left out of the chains, so the file joins it only once it
        // has limits (ThrottlePolicy re-chains every file then), and leaves it when they go.
        if (mount.Config.IsEnabled)
        {
            _mountMember ??= mount.Join(Path);
        }
        else if (_mountMember is not null)
        {
            retired.Add(_mountMember);
            _mountMember = null;
        }

        // Own buckets kept for a closed file, or for openers that have gone, follow the limits too.
        var config = limits.OwnFor(Path, -1);
        if (config.IsEnabled)
        {
            Own?.Reconfigure(config);
        }
        else if (_ownMember is { } member)
        {
            var own = member.Group!; // the member first: its waiting requests are let go
            retired.Add(member);
            retired.Add(own);
            _ownMember = null;
        }

        for (ref var own = ref _ruleOwns; own is not null;)
        {
            config = limits.OwnFor(Path, own.Key);
            if (config.IsEnabled)
            {
                own.Group.Reconfigure(config);
                own = ref own.Next;
            }
            else
            {
                retired.Add(own);
                own = own.Next;
            }
        }

        for (var handle = _handles; handle is not null; handle = handle.Next)
        {
            Route(handle, limits, retired);
        }

        Retire(retired);
    }

    /// <summary>
    /// Stops the file's own buckets, failing what waits in them, and leaves the shared layers (which let the file's
    /// waiting requests go, unless they were disposed first: <see cref="ThrottlePolicy.Dispose"/>).
    /// </summary>
    public void Dispose()
    {
        for (var handle = _handles; handle is not null; handle = handle.Next)
        {
            handle.Route(ThrottleChain.Empty);
        }

        // The group first: what waits in the file's own buckets fails rather than being let go.
        Own?.Dispose();
        _ownMember?.Dispose();
        for (var own = _ruleOwns; own is not null; own = own.Next)
        {
            own.Group.Dispose();
            own.Member.Dispose();
        }

        for (var seat = _seats; seat is not null; seat = seat.Next)
        {
            seat.Dispose();
        }

        _mountMember?.Dispose();
        (_handles, _ownMember, _ruleOwns, _seats, _mountMember) = (null, null, null, null, null);
    }

    // Puts one handle on the way its opener's limits say. Layers it no longer passes go to retired, to be let go once
    // no new request can find them in a chain.
    private void Route(HandleThrottle handle, EffectiveLimits limits, List<IDisposable> retired)
    {
        if (limits.UsesProcess && !handle.ProcessKnown && handle.Caller is { } caller)
        {
            handle.Process = Policy.ExecutableOf(caller.Pid);
            handle.ProcessKnown = true;
        }

        var opener = handle.Opener;
        var (config, ownKey, groupName) = limits.ForCaller(Path, opener);
        var own = config.IsEnabled ? OwnMember(ownKey, config) : null;

        var seat = groupName is null ? null : SeatIn(groupName, opener);
        if (handle.Seat != seat)
        {
            if (seat is not null)
            {
                seat.Handles++;
            }

            if (handle.Seat is { } left && --left.Handles == 0)
            {
                Remove(left);
                retired.Add(left);
            }

            handle.Seat = seat;
        }

        handle.Route(ChainFor(handle, own, seat?.Member));
    }

    // The chain of another handle that passes the same layers, or a new one.
    private ThrottleChain ChainFor(HandleThrottle handle, ThrottleGroupMember? own, ThrottleGroupMember? group)
    {
        for (var other = _handles; other is not null; other = other.Next)
        {
            if (other != handle && other.Chain.Layers is var layers && Same(layers, own, group, _mountMember))
            {
                return other.Chain;
            }
        }

        ThrottleGroupMember?[] all = [own, group, _mountMember];
        return all.Any(layer => layer is not null) ? new ThrottleChain([.. all.OfType<ThrottleGroupMember>()]) : ThrottleChain.Empty;
    }

    private static bool Same(IReadOnlyList<ThrottleGroupMember> layers, ThrottleGroupMember? own, ThrottleGroupMember? group, ThrottleGroupMember? mount)
    {
        var i = 0;
        foreach (var expected in (ReadOnlySpan<ThrottleGroupMember?>)[own, group, mount])
        {
            if (expected is null)
            {
                continue;
            }

            if (i >= layers.Count || layers[i++] != expected)
            {
                return false;
            }
        }

        return i == layers.Count;
    }

    // The member of the own buckets under key (EffectiveLimits.ForCaller), made with config when there are none yet.
    private ThrottleGroupMember OwnMember(int key, ThrottleConfig config)
    {
        if (key < 0)
        {
            // The file's meter has the wait percentiles.
            return _ownMember ??= new ThrottleGroup(Path, config, Policy.Time, waitPercentiles: false).Join(Path);
        }

        for (var own = _ruleOwns; own is not null; own = own.Next)
        {
            if (own.Key == key)
            {
                return own.Member;
            }
        }

        var name = $"{Path} (rules[{key}])";
        var group = new ThrottleGroup(name, config, Policy.Time, waitPercentiles: false);
        _ruleOwns = new RuleBuckets(key, group, group.Join(name)) { Next = _ruleOwns };
        return _ruleOwns.Member;
    }

    private GroupSeat SeatIn(string groupName, Opener opener)
    {
        var instances = Policy.GroupsByName(groupName);
        var name = instances.InstanceName(opener);
        for (var seat = _seats; seat is not null; seat = seat.Next)
        {
            if (seat.Owner == instances && seat.Group.Name == name)
            {
                return seat;
            }
        }

        var group = instances.Acquire(opener);
        var added = new GroupSeat(instances, group, group.Join(Path)) { Next = _seats };
        _seats = added;
        return added;
    }

    private void Remove(GroupSeat seat)
    {
        ref var link = ref _seats;
        while (link is not null && link != seat)
        {
            link = ref link.Next;
        }

        if (link is not null)
        {
            link = seat.Next;
        }
    }

    // Only once no new request can find them in a chain.
    private static void Retire(List<IDisposable> retired)
    {
        foreach (var layer in retired)
        {
            layer.Dispose();
        }
    }

    // Retired (no longer limited), the member goes first, letting its waiting requests go.
    private sealed class RuleBuckets(int key, ThrottleGroup group, ThrottleGroupMember member) : IDisposable
    {
        public int Key { get; } = key;

        public ThrottleGroup Group { get; } = group;

        public ThrottleGroupMember Member { get; } = member;

        public RuleBuckets? Next;

        public void Dispose()
        {
            Member.Dispose();
            Group.Dispose();
        }
    }
}
