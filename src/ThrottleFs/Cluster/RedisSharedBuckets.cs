using System.Globalization;
using System.Reflection;
using StackExchange.Redis;
using ThrottleFs.Qos;

namespace ThrottleFs.Cluster;

/// <summary>
/// Cluster-wide buckets in Redis: one Lua script (<c>SharedBuckets.lua</c>) refills them by Redis's clock and leases or
/// takes back credit atomically, so hosts' clocks do not matter and no two hosts are granted the same credit. Both keys of
/// a group share one hash tag, so the script runs on Redis Cluster as well.
/// </summary>
internal sealed class RedisSharedBuckets(IDatabaseAsync database, string prefix) : ISharedBuckets
{
    /// <summary>The script's text, as shipped in the assembly.</summary>
    public static readonly string Script = ReadScript();

    /// <summary>The keys of group <paramref name="group"/>: its buckets and its hosts.</summary>
    public RedisKey[] KeysOf(string group) => [$"{{{prefix}:{group}}}:buckets", $"{{{prefix}:{group}}}:hosts"];

    /// <inheritdoc/>
    public async Task<LeaseGrant> LeaseAsync(LeaseRequest request)
    {
        var result = (RedisResult[])(await Run(Arguments(request, "lease"), request.Group).ConfigureAwait(false))!;
        var granted = new double[BucketKinds.Count];
        for (var k = 0; k < granted.Length; k++)
        {
            granted[k] = Number(result[k]);
        }

        var hosts = new List<SharingHost>();
        for (var i = BucketKinds.Count; i + 2 < result.Length; i += 3)
        {
            hosts.Add(new SharingHost((string)result[i]!, Number(result[i + 1]), Number(result[i + 2])));
        }

        hosts.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new LeaseGrant(granted, hosts);
    }

    /// <inheritdoc/>
    public Task ReturnAsync(LeaseRequest request) => Run(Arguments(request, "return"), request.Group);

    // The client's messages carry its whole state (threads, queues, versions): what the log and stats show is short.
    private async Task<RedisResult> Run(RedisValue[] arguments, string group)
    {
        try
        {
            return await database.ScriptEvaluateAsync(Script, KeysOf(group), arguments).ConfigureAwait(false);
        }
        catch (RedisConnectionException e)
        {
            throw new IOException($"Redis cannot be reached ({e.FailureType})", e);
        }
        catch (RedisTimeoutException e)
        {
            throw new IOException("Redis did not answer in time", e);
        }
        catch (RedisServerException e)
        {
            throw new IOException($"Redis refused the call: {e.Message}", e);
        }
    }

    private static RedisValue[] Arguments(LeaseRequest request, string mode)
    {
        var values = new RedisValue[3 + (BucketKinds.Count * 4)];
        values[0] = request.Host;
        values[1] = mode;
        values[2] = request.Config.Algorithm == ThrottleAlgorithm.Token ? "token" : "leaky";
        foreach (var kind in BucketKinds.All)
        {
            var bucket = request.Config[kind];
            var i = 3 + ((int)kind * 4);
            values[i] = bucket.Avg;
            values[i + 1] = bucket.Max;
            values[i + 2] = bucket.MaxLength;
            values[i + 3] = request.Amounts[(int)kind].ToString("R", CultureInfo.InvariantCulture);
        }

        return values;
    }

    private static double Number(RedisResult result) => double.Parse((string)result!, CultureInfo.InvariantCulture);

    private static string ReadScript()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("ThrottleFs.Cluster.SharedBuckets.lua")
            ?? throw new InvalidOperationException("The Redis script SharedBuckets.lua is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
