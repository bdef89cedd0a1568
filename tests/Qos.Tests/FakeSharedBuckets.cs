namespace ThrottleFs.Qos.Tests;

/// <summary>
/// A shared store in memory, on the virtual clock, with the rules of ThrottleFs's Redis script (leaky buckets as QEMU's,
/// token buckets as librbd's with continuous refill, grants shared in proportion to the demand of the hosts that asked
/// in the last second). It can be taken down (calls fail) or made to hang (calls never answer).
/// </summary>
public sealed class FakeSharedBuckets(VirtualClock clock) : ISharedBuckets
{
    private const double ActiveSeconds = 1;
    private const double ClaimSeconds = 0.1;
    private const double ForgetSeconds = 60;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Shared> _groups = [];

    /// <summary>Calls fail while set.</summary>
    public bool Down { get; set; }

    /// <summary>Calls never complete while set.</summary>
    public bool Hangs { get; set; }

    /// <summary>Leases answered so far.</summary>
    public int Leases { get; private set; }

    /// <summary>Returns answered so far.</summary>
    public int Returns { get; private set; }

    /// <summary>Credit handed out so far, per group and bucket, minus what came back.</summary>
    public double Outstanding(string group, BucketKind kind)
    {
        lock (_lock)
        {
            return _groups.TryGetValue(group, out var shared) ? shared.Net[(int)kind] : 0;
        }
    }

    /// <summary>Forgets every bucket and host, as a Redis restart without persistence does.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            _groups.Clear();
        }
    }

    public Task<LeaseGrant> LeaseAsync(LeaseRequest request)
    {
        if (Down)
        {
            return Task.FromException<LeaseGrant>(new InvalidOperationException("connection refused"));
        }

        if (Hangs)
        {
            return new TaskCompletionSource<LeaseGrant>().Task;
        }

        lock (_lock)
        {
            Leases++;
            var now = clock.NowNs / 1e9;
            var shared = Refill(request, now);
            var self = shared.Hosts.TryGetValue(request.Host, out var known) ? known : new Host();
            shared.Hosts[request.Host] = self;
            self.Seen = now;
            request.Amounts.CopyTo(self.Want, 0);
            // Only hosts that asked in the last ClaimSeconds (hosts short of credit ask every 25 ms) hold room: one that
            // got what it wanted and went quiet does not keep it from the others.
            var active = shared.Hosts.Values.Where(host => now - host.Seen <= ClaimSeconds).ToList();
            foreach (var idle in shared.Hosts.Values.Except(active))
            {
                Array.Clear(idle.Claim);
            }

            var granted = new double[BucketKinds.Count];
            foreach (var kind in BucketKinds.All)
            {
                var k = (int)kind;
                if (!request.Config[kind].IsEnabled)
                {
                    continue;
                }

                // Room nobody has claimed yet goes to the hosts asking for more than they claim, in proportion to
                // what they ask, up to what they ask (water-filling); a host's claim waits for it until it next asks.
                var free = Math.Max(Room(shared, request.Config, kind) - active.Sum(host => host.Claim[k]), 0);
                for (var round = 0; round < active.Count && free > 1e-9; round++)
                {
                    var unmet = active.Where(host => host.Want[k] - host.Claim[k] > 1e-9).ToList();
                    var weight = unmet.Sum(host => host.Want[k]);
                    if (weight <= 0)
                    {
                        break;
                    }

                    var handed = 0.0;
                    foreach (var host in unmet)
                    {
                        var add = Math.Min(free * host.Want[k] / weight, host.Want[k] - host.Claim[k]);
                        host.Claim[k] += add;
                        handed += add;
                    }

                    free -= handed;
                }

                granted[k] = Math.Min(self.Want[k], self.Claim[k]);
                self.Claim[k] -= granted[k];
                Take(shared, request.Config, kind, granted[k]);
            }

            return Task.FromResult(new LeaseGrant(granted, HostsOf(shared, now)));
        }
    }

    public Task ReturnAsync(LeaseRequest request)
    {
        if (Down)
        {
            return Task.FromException(new InvalidOperationException("connection refused"));
        }

        lock (_lock)
        {
            Returns++;
            var now = clock.NowNs / 1e9;
            var shared = Refill(request, now);
            var self = shared.Hosts.TryGetValue(request.Host, out var known) ? known : new Host();
            shared.Hosts[request.Host] = self;
            self.Seen = now;
            Array.Clear(self.Want);
            Array.Clear(self.Claim);
            foreach (var kind in BucketKinds.All)
            {
                if (request.Config[kind].IsEnabled)
                {
                    Take(shared, request.Config, kind, -request.Amounts[(int)kind]);
                }
            }

            return Task.CompletedTask;
        }
    }

    private Shared Refill(LeaseRequest request, double now)
    {
        if (!_groups.TryGetValue(request.Group, out var shared))
        {
            shared = new Shared { Time = now };
            foreach (var kind in BucketKinds.All)
            {
                var bucket = request.Config[kind];
                var max = bucket.Max == 0 ? bucket.Avg : bucket.Max;
                shared.Remain[(int)kind] = max * Math.Max(bucket.MaxLength, 1);
                shared.Available[(int)kind] = Math.Min(max * Math.Max(1.0 / Math.Max(bucket.Avg, 1), 0.05), shared.Remain[(int)kind]);
            }

            _groups[request.Group] = shared;
        }

        var elapsed = Math.Max(now - shared.Time, 0);
        shared.Time = now;
        foreach (var kind in BucketKinds.All)
        {
            var k = (int)kind;
            var bucket = request.Config[kind];
            if (request.Config.Algorithm == ThrottleAlgorithm.Token)
            {
                var max = bucket.Max == 0 ? bucket.Avg : bucket.Max;
                shared.Remain[k] = Math.Min(shared.Remain[k] + (bucket.Avg * elapsed), max * Math.Max(bucket.MaxLength, 1));
                shared.Available[k] = Math.Min(Math.Min(shared.Available[k] + (max * elapsed), max), shared.Remain[k]);
            }
            else
            {
                shared.Level[k] = Math.Max(shared.Level[k] - (bucket.Avg * elapsed), 0);
                shared.Burst[k] = Math.Max(shared.Burst[k] - (bucket.Max * elapsed), 0);
            }
        }

        foreach (var host in shared.Hosts.Where(host => now - host.Value.Seen > ForgetSeconds).ToList())
        {
            shared.Hosts.Remove(host.Key);
        }

        return shared;
    }

    private static double Room(Shared shared, ThrottleConfig config, BucketKind kind)
    {
        var k = (int)kind;
        if (config.Algorithm == ThrottleAlgorithm.Token)
        {
            return shared.Available[k];
        }

        var bucket = config[kind];
        var size = bucket.Max == 0 ? bucket.Avg / 10.0 : bucket.Max * (double)bucket.MaxLength;
        var room = size - shared.Level[k];
        return bucket.MaxLength > 1 ? Math.Min(room, (bucket.Max / 10.0) - shared.Burst[k]) : room;
    }

    // Negative amounts give credit back.
    private static void Take(Shared shared, ThrottleConfig config, BucketKind kind, double amount)
    {
        var k = (int)kind;
        shared.Net[k] += amount;
        if (config.Algorithm == ThrottleAlgorithm.Token)
        {
            var bucket = config[kind];
            var max = bucket.Max == 0 ? bucket.Avg : bucket.Max;
            shared.Remain[k] = Math.Min(shared.Remain[k] - amount, max * Math.Max(bucket.MaxLength, 1));
            shared.Available[k] = Math.Min(shared.Available[k] - amount, Math.Min(max, shared.Remain[k]));
        }
        else
        {
            shared.Level[k] = Math.Max(shared.Level[k] + amount, 0);
            shared.Burst[k] = Math.Max(shared.Burst[k] + amount, 0);
        }
    }

    // A host's share is its part of the demand, averaged over the buckets anyone asks for.
    private static List<SharingHost> HostsOf(Shared shared, double now)
    {
        var active = shared.Hosts.Where(host => now - host.Value.Seen <= ActiveSeconds).ToList();
        var kinds = Enumerable.Range(0, BucketKinds.Count).Where(k => active.Sum(host => host.Value.Want[k]) > 0).ToList();
        double ShareOf(string name) => !kinds.Any() || !active.Any(host => host.Key == name) ? 0
            : kinds.Average(k => shared.Hosts[name].Want[k] / active.Sum(host => host.Value.Want[k]));
        return [.. shared.Hosts.OrderBy(host => host.Key, StringComparer.Ordinal)
            .Select(host => new SharingHost(host.Key, ShareOf(host.Key), now - host.Value.Seen))];
    }

    private sealed class Shared
    {
        public double Time;
        public readonly double[] Level = new double[BucketKinds.Count];
        public readonly double[] Burst = new double[BucketKinds.Count];
        public readonly double[] Remain = new double[BucketKinds.Count];
        public readonly double[] Available = new double[BucketKinds.Count];
        public readonly double[] Net = new double[BucketKinds.Count];
        public readonly Dictionary<string, Host> Hosts = new(StringComparer.Ordinal);
    }

    private sealed class Host
    {
        public double Seen;
        public readonly double[] Want = new double[BucketKinds.Count];
        public readonly double[] Claim = new double[BucketKinds.Count];
    }
}
