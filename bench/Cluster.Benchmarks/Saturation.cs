using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using ThrottleFs.Qos;
using ThrottleFs.Tests.Cluster;

namespace ThrottleFs.Cluster.Benchmarks;

/// <summary>
/// Hosts sharing one cluster-wide group at saturation: each host is a group, a lease and a connection of its own, kept
/// busy by a few requesters that admit 4 KiB reads back to back. Counts what passed and what Redis was asked, by the
/// hosts' own count and by Redis's (<c>INFO commandstats</c>).
/// </summary>
internal static class Saturation
{
    private const int RequestersPerHost = 4;

    public static async Task RunAsync(int hosts, long iops, TimeSpan duration)
    {
        using var redis = new RedisServer();
        var options = ConfigurationOptions.Parse(redis.Configuration);
        options.AllowAdmin = true;
        using var admin = await ConnectionMultiplexer.ConnectAsync(options);
        var server = admin.GetServer(admin.GetEndPoints()[0]);

        var connections = new List<ConnectionMultiplexer>();
        var groups = new List<ThrottleGroup>();
        var leases = new List<SharedLease>();
        for (var h = 0; h < hosts; h++)
        {
            var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
            var group = new ThrottleGroup("vms", ThrottleConfig.Parse($"iops-total={iops}"));
            connections.Add(connection);
            groups.Add(group);
            leases.Add(new SharedLease(group, $"host{h}", new RedisSharedBuckets(connection.GetDatabase(), "bench")));
        }

        await server.ExecuteAsync("CONFIG", "RESETSTAT");
        var admitted = new long[hosts];
        using var stop = new CancellationTokenSource(duration);
        var clock = Stopwatch.StartNew();
        var requesters = Enumerable.Range(0, hosts).SelectMany(h => Enumerable.Range(0, RequestersPerHost).Select(_ => Task.Run(async () =>
        {
            var member = groups[h].Join("file");
            while (!stop.IsCancellationRequested)
            {
                await member.AdmitAsync(ThrottleDirection.Read, 4096);
                Interlocked.Increment(ref admitted[h]);
            }
        }))).ToArray();
        await Task.WhenAll(requesters);
        var seconds = clock.Elapsed.TotalSeconds;
        var calls = leases.Sum(lease => lease.Status.Calls);
        var scripts = ScriptCalls(await server.InfoRawAsync("commandstats"));

        foreach (var lease in leases)
        {
            lease.Dispose();
        }

        foreach (var (group, connection) in groups.Zip(connections))
        {
            group.Dispose();
            connection.Dispose();
        }

        var total = admitted.Sum();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {hosts} | {iops:N0} | {total / seconds:N0} ({total / seconds / iops:P1}) | {string.Join(" / ", admitted.Select(a => (a / seconds).ToString("N0", CultureInfo.InvariantCulture)))} | {calls / seconds / hosts:N1} | {scripts / seconds / hosts:N1} |"));
    }

    // "cmdstat_evalsha:calls=123,usec=..." and the same for eval (the first call of a script).
    private static long ScriptCalls(string? info) => (info ?? "").Split('\n')
        .Where(line => line.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal) || line.StartsWith("cmdstat_eval:", StringComparison.Ordinal))
        .Sum(line => long.Parse(line.Split("calls=")[1].Split(',')[0], CultureInfo.InvariantCulture));
}
