namespace ThrottleFs.Configuration;

/// <summary>
/// The <c>cluster</c> section: where groups marked <c>"scope": "cluster"</c> keep the buckets they share with every
/// host that mounts with the same section.
/// </summary>
/// <param name="Redis">A StackExchange.Redis configuration string (<c>host:6379,password=…,ssl=true</c>).</param>
/// <param name="Prefix">Starts every key and channel, so several clusters can share one Redis.</param>
/// <param name="Host">This host's name among them: unique per mount of a cluster group.</param>
internal sealed record ClusterSettings(string Redis, string Prefix, string Host)
{
    /// <summary>The prefix when none is given.</summary>
    public const string DefaultPrefix = "throttlefs";

    /// <summary>
    /// <see cref="Redis"/> as logs and the effective config show it: <c>hv07:6379,password=…</c>. The control directory
    /// may be readable by every user, and logs travel further than config files.
    /// </summary>
    public string RedisShown => string.Join(",", Redis.Split(',').Select(part =>
        part.TrimStart().StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=…" : part));
}
