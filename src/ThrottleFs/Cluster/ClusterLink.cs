using Serilog;
using StackExchange.Redis;
using ThrottleFs.Configuration;
using ThrottleFs.Qos;

namespace ThrottleFs.Cluster;

/*
 * A mount's link to its cluster's Redis: the shared buckets (RedisSharedBuckets), and the limits of the cluster-wide
 * groups, which every host keeps in step.
 *
 * A change to a cluster group's limits on any host is validated there, then stored under {prefix:group}:limits and
 * published on the channel prefix:limits as "host\ngroup\nSPEC", the SPEC naming every limit key so that it replaces
 * the group's limits wherever it lands. The other hosts apply it as a live change of their own (they do not publish it
 * again). Beside the limits is stored the group's SPEC in the config file of the host that changed them: a host that
 * mounts takes the stored limits when its file says what that file said, and stores its own when its file was edited
 * since (the edit is the newer change), or when nothing is stored. A host that was cut off does the same when the
 * connection comes back, and a Redis that came back empty gets the limits stored again.
 *
 * Nothing here ever makes a request wait: Redis calls fail fast while it is away (BacklogPolicy.FailFast), and the
 * leases fall back on their own (SharedLease).
 */

/// <summary>A mount's connection to its cluster: shared buckets and cluster-wide limits through Redis.</summary>
internal sealed class ClusterLink : IDisposable
{
    /// <summary>How long connecting, and every call, may take before it counts as failed.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    private const string PublishScript = """
        if ARGV[2] == 'nx' then
          if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
        else
          redis.call('SET', KEYS[1], ARGV[1])
        end
        redis.call('PUBLISH', ARGV[3], ARGV[4])
        return 1
        """;

    private readonly ConnectionMultiplexer _connection;
    private readonly ILogger _log;
    private readonly RedisChannel _channel;
    private readonly Lock _lock = new();
    private Action<string, ThrottleSpec, string>? _received;
    private Action? _reconnected;
    private ITimer? _watch;
    private bool _subscribed; // guarded by _lock

    private ClusterLink(ClusterSettings settings, ConnectionMultiplexer connection, ILogger log)
    {
        Settings = settings;
        _connection = connection;
        _log = log;
        _channel = RedisChannel.Literal($"{settings.Prefix}:limits");
        Buckets = new RedisSharedBuckets(connection.GetDatabase(), settings.Prefix);
    }

    /// <summary>The cluster section this link was made from.</summary>
    public ClusterSettings Settings { get; }

    /// <summary>This host's name in the cluster.</summary>
    public string Host => Settings.Host;

    /// <summary>The cluster-wide buckets.</summary>
    public ISharedBuckets Buckets { get; }

    /// <summary>Whether Redis answers now.</summary>
    public bool IsConnected => _connection.IsConnected;

    /// <summary>
    /// Connects to the cluster's Redis, waiting at most <see cref="Timeout"/>: a Redis that does not answer leaves the
    /// link connecting in the background, and the cluster groups on their fallback until it does.
    /// </summary>
    /// <exception cref="ConfigException">The Redis configuration string is not valid.</exception>
    public static ClusterLink Connect(ClusterSettings settings, ILogger log)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(settings.Redis);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException($"cluster.redis: '{settings.Redis}' is not a Redis configuration string: {e.Message}");
        }

        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = (int)Timeout.TotalMilliseconds;
        options.SyncTimeout = (int)Timeout.TotalMilliseconds;
        options.AsyncTimeout = (int)Timeout.TotalMilliseconds;
        options.ConnectRetry = 1;
        options.ClientName ??= $"throttlefs:{settings.Host}";
        var connection = ConnectionMultiplexer.Connect(options);
        var link = new ClusterLink(settings, connection, log);
        if (!connection.IsConnected)
        {
            log.Warning("Cluster: Redis at {Redis} does not answer; cluster groups start on their fallback share and join once it does", settings.RedisShown);
        }

        return link;
    }

    /// <summary>
    /// Starts listening for limits other hosts publish, and for the connection coming back. <paramref name="received"/>
    /// gets the group, its new limits and the host that changed them; <paramref name="reconnected"/> runs when a lost
    /// connection is back.
    /// </summary>
    public void Listen(Action<string, ThrottleSpec, string> received, Action reconnected)
    {
        _received = received;
        _reconnected = reconnected;
        _connection.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                _log.Information("Cluster: Redis is back");
                _ = Task.Run(reconnected); // off the client's event thread: it calls Redis itself
            }
        };
        _connection.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                _log.Warning("Cluster: lost Redis ({Failure})", e.FailureType);
            }
        };

        // The client subscribes again by itself after a reconnection, but only to what it once subscribed: a mount made
        // while Redis was away subscribes (and takes the cluster's limits) once Redis first answers.
        if (!TrySubscribe())
        {
            _watch = TimeProvider.System.CreateTimer(_ => Watch(), null, Timeout, Timeout);
        }
    }

    // A queue, not a handler: a handler may run messages concurrently, and changes must apply in order.
    private bool TrySubscribe()
    {
        lock (_lock)
        {
            if (_subscribed)
            {
                return true;
            }

            try
            {
                _connection.GetSubscriber().Subscribe(_channel).OnMessage(message => OnMessage(message.Message));
                _subscribed = true;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                _log.Debug("Cluster: cannot subscribe yet: {Reason}", e.Message);
            }

            return _subscribed;
        }
    }

    private void Watch()
    {
        if (_connection.IsConnected && TrySubscribe())
        {
            _watch?.Dispose();
            _reconnected?.Invoke();
        }
    }

    /// <summary>The limits stored for <paramref name="group"/>, or null when none are (or Redis does not answer).</summary>
    public StoredLimits? StoredLimits(string group)
    {
        try
        {
            var stored = ((string?)_connection.GetDatabase().StringGet(LimitsKey(group)))?.Split('\n');
            return stored is [var limits, var file] ? new StoredLimits(ThrottleSpec.Parse(limits), file) : null;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ThrottleConfigException)
        {
            _log.Debug("Cluster: cannot read the limits of {Group}: {Reason}", group, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Stores <paramref name="limits"/> as <paramref name="group"/>'s and tells the other hosts; with
    /// <paramref name="onlyIfNone"/>, only when nothing is stored yet (a host that mounts, or a Redis that came back
    /// empty). <paramref name="file"/> is the group's SPEC in this host's config file, stored beside them.
    /// </summary>
    public void Publish(string group, ThrottleConfig limits, string file, bool onlyIfNone = false) =>
        _ = PublishAsync(group, LimitsSpec(limits), file, onlyIfNone);

    /// <summary>The SPEC that makes a group's limits exactly <paramref name="limits"/>'s.</summary>
    public static string LimitsSpec(ThrottleConfig limits) =>
        string.Join(",", ThrottleKeys.DescribeLimits(limits).Select(pair => $"{pair.Key}={pair.Value}"));

    public void Dispose()
    {
        _watch?.Dispose();
        _connection.Dispose();
    }

    // Stored and published in one script: changes reach Redis, and so every host, in the order they were made here.
    private async Task PublishAsync(string group, string spec, string file, bool onlyIfNone)
    {
        try
        {
            await _connection.GetDatabase().ScriptEvaluateAsync(
                PublishScript,
                [LimitsKey(group)],
                [$"{spec}\n{file}", onlyIfNone ? "nx" : "always", _channel.ToString(), $"{Host}\n{group}\n{spec}"]).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _log.Warning("Cluster: could not publish the limits of {Group} ({Reason}); other hosts keep theirs until this host publishes again", group, e.Message);
        }
    }

    private void OnMessage(RedisValue message)
    {
        var parts = ((string?)message ?? "").Split('\n');
        if (parts.Length != 3 || parts[0] == Host)
        {
            return; // malformed, or this host's own
        }

        try
        {
            _received?.Invoke(parts[1], ThrottleSpec.Parse(parts[2]), parts[0]);
        }
        catch (ThrottleConfigException e)
        {
            _log.Warning("Cluster: host {Host} published limits for {Group} that do not parse ({Reason}); ignored", parts[0], parts[1], e.Message);
        }
    }

    private RedisKey LimitsKey(string group) => $"{{{Settings.Prefix}:{group}}}:limits";
}
