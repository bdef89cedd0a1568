using System.Globalization;
using System.Text;

namespace ThrottleFs.Statistics;

/// <summary>
/// Renders <see cref="MountStatistics"/> in the Prometheus text exposition format 0.0.4, as <c>.throttlefs/metrics</c>
/// serves it. Every family is prefixed <c>throttlefs_</c> and has one <c># HELP</c> and one <c># TYPE</c> line before its
/// samples; counters end in <c>_total</c>. Series are labelled <c>layer</c> (<c>file</c>, <c>group</c> or <c>mount</c>)
/// and <c>name</c> (the file's path, the group's name, or <c>mount</c>), plus <c>direction</c> (<c>read</c>,
/// <c>write</c>) or <c>bucket</c> (<c>iops-total</c>, <c>bps-read</c>, ...) where the family has them.
/// </summary>
/// <remarks>
/// Every family is written even when it has no samples (no buckets yet, say), so a scrape always shows the same
/// families with their help. Lines end in <c>\n</c> whatever the platform, as the format requires.
/// </remarks>
internal static class PrometheusFormat
{
    /// <summary>The HTTP content type of this format, for a server that exposes the metrics.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Renders <paramref name="statistics"/> into a new string.</summary>
    public static string Render(MountStatistics statistics)
    {
        var builder = new StringBuilder(8192);
        Write(statistics, builder);
        return builder.ToString();
    }

    /// <summary>Appends the rendering of <paramref name="statistics"/> to <paramref name="builder"/>.</summary>
    public static void Write(MountStatistics statistics, StringBuilder builder)
    {
        using var writer = new StringWriter(builder, CultureInfo.InvariantCulture);
        Write(statistics, writer);
    }

    /// <summary>Writes the rendering of <paramref name="statistics"/> to <paramref name="writer"/>.</summary>
    public static void Write(MountStatistics statistics, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(writer);
        var layers = Layers(statistics);

        Family(writer, "throttlefs_uptime_seconds", "gauge", "Seconds since the mount started.");
        Sample(writer, "throttlefs_uptime_seconds", [], statistics.UptimeSeconds);

        DirectionFamily(writer, layers, "throttlefs_ops_total", "counter",
            "Requests admitted. A file counts its own requests end to end; a group or the mount counts what it admitted.",
            d => d.Ops);
        DirectionFamily(writer, layers, "throttlefs_bytes_total", "counter", "Bytes admitted.", d => d.Bytes);
        DirectionFamily(writer, layers, "throttlefs_throttled_ops_total", "counter",
            "Admitted requests that had to wait for a bucket.", d => d.Throttled);

        const string quantiles = "throttlefs_wait_seconds";
        Family(writer, quantiles, "gauge",
            "Wait of the requests admitted so far, by quantile; requests that did not wait count as 0.");
        foreach (var layer in layers)
        {
            foreach (var (direction, snapshot) in layer.Directions)
            {
                Sample(writer, quantiles, [.. layer.Labels, ("direction", direction), ("quantile", "0.5")], snapshot.WaitP50Ms / 1000);
                Sample(writer, quantiles, [.. layer.Labels, ("direction", direction), ("quantile", "0.9")], snapshot.WaitP90Ms / 1000);
                Sample(writer, quantiles, [.. layer.Labels, ("direction", direction), ("quantile", "0.99")], snapshot.WaitP99Ms / 1000);
            }
        }

        DirectionFamily(writer, layers, "throttlefs_wait_max_seconds", "gauge",
            "Longest wait of a request admitted so far.", d => d.WaitMaxMs / 1000);
        // Not "throttlefs_wait_seconds_total": in OpenMetrics that would be the counter family throttlefs_wait_seconds,
        // which the quantile gauges above already are.
        DirectionFamily(writer, layers, "throttlefs_waited_seconds_total", "counter",
            "Seconds the admitted requests waited, summed; its rate over the ops rate is the mean wait.", d => d.WaitTotalMs / 1000);
        DirectionFamily(writer, layers, "throttlefs_queue_depth", "gauge", "Requests waiting now.", d => d.QueueDepth);

        const string refused = "throttlefs_refused_ops_total";
        Family(writer, refused, "counter",
            "Requests refused instead of waiting, by cause: policed (action=police), queue_full (queue-depth), timed_out (max-wait).");
        foreach (var layer in layers)
        {
            foreach (var (direction, snapshot) in layer.Directions)
            {
                Sample(writer, refused, [.. layer.Labels, ("direction", direction), ("cause", "policed")], snapshot.Policed);
                Sample(writer, refused, [.. layer.Labels, ("direction", direction), ("cause", "queue_full")], snapshot.QueueFull);
                Sample(writer, refused, [.. layer.Labels, ("direction", direction), ("cause", "timed_out")], snapshot.TimedOut);
            }
        }

        BucketFamily(writer, layers, "throttlefs_bucket_limit_avg",
            "Sustained rate a bucket allows per second: operations for iops-* buckets, bytes for bps-* buckets.",
            _ => true, b => b.Avg);
        BucketFamily(writer, layers, "throttlefs_bucket_limit_max",
            "Burst rate a bucket allows per second, units as for the average; 0 without a burst.", _ => true, b => b.Max);
        BucketFamily(writer, layers, "throttlefs_bucket_fill_ratio",
            "Share of a bucket's capacity in use, 0 to 1; requests wait while it is full.", _ => true, b => b.Fill);
        BucketFamily(writer, layers, "throttlefs_bucket_burst_left_seconds",
            "How long a client at the burst rate could go on before it is held to the average; only buckets with a burst.",
            b => b.HasBurst, b => b.BurstSecondsLeft);

        const string handles = "throttlefs_file_open_handles";
        Family(writer, handles, "gauge", "Open handles of a file; 0 for a closed file whose state is kept for a while.");
        foreach (var file in statistics.Files)
        {
            Sample(writer, handles, [("layer", "file"), ("name", file.Path)], file.Opens);
        }

        ClusterFamilies(writer, statistics);
    }

    // Cluster-wide groups: whether this host runs on its fallback, who shares the group, and the Redis traffic.
    private static void ClusterFamilies(TextWriter writer, MountStatistics statistics)
    {
        var shared = statistics.Groups.Where(group => group.Cluster is not null).ToList();
        if (shared.Count == 0)
        {
            return;
        }

        const string fallback = "throttlefs_cluster_fallback";
        Family(writer, fallback, "gauge", "1 while Redis cannot be reached and this host runs a cluster group on its fallback share, else 0.");
        foreach (var group in shared)
        {
            Sample(writer, fallback, [("name", group.Name)], group.Cluster!.State == "fallback" ? 1 : 0);
        }

        const string hosts = "throttlefs_cluster_hosts";
        Family(writer, hosts, "gauge", "Hosts that shared a cluster group in the last minute, this one included.");
        foreach (var group in shared)
        {
            Sample(writer, hosts, [("name", group.Name)], group.Cluster!.Hosts.Count);
        }

        const string share = "throttlefs_cluster_host_share_ratio";
        Family(writer, share, "gauge", "A host's part of a cluster group's demand, 0 to 1, as Redis last said.");
        foreach (var group in shared)
        {
            foreach (var host in group.Cluster!.Hosts)
            {
                Sample(writer, share, [("name", group.Name), ("host", host.Name)], host.Share);
            }
        }

        const string calls = "throttlefs_cluster_calls_total";
        Family(writer, calls, "counter", "Calls this host made to Redis for a cluster group (leases and give-backs).");
        foreach (var group in shared)
        {
            Sample(writer, calls, [("name", group.Name)], group.Cluster!.Calls);
        }

        const string failures = "throttlefs_cluster_failures_total";
        Family(writer, failures, "counter", "Calls to Redis for a cluster group that failed or went unanswered.");
        foreach (var group in shared)
        {
            Sample(writer, failures, [("name", group.Name)], group.Cluster!.Failures);
        }
    }

    /// <summary>Escapes a label value: backslash, double quote and line feed, the three the format requires.</summary>
    internal static string EscapeLabelValue(string value)
    {
        if (value.AsSpan().IndexOfAny("\\\"\n") < 0)
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    escaped.Append(@"\\");
                    break;
                case '"':
                    escaped.Append("\\\"");
                    break;
                case '\n':
                    escaped.Append(@"\n");
                    break;
                default:
                    escaped.Append(c);
                    break;
            }
        }

        return escaped.ToString();
    }

    /// <summary>Formats a sample value: Go float syntax, which Prometheus parses, with its spellings of NaN and infinity.</summary>
    internal static string FormatValue(double value) => value switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static void DirectionFamily(
        TextWriter writer, IReadOnlyList<Layer> layers, string name, string type, string help, Func<DirectionSnapshot, double> value)
    {
        Family(writer, name, type, help);
        foreach (var layer in layers)
        {
            foreach (var (direction, snapshot) in layer.Directions)
            {
                Sample(writer, name, [.. layer.Labels, ("direction", direction)], value(snapshot));
            }
        }
    }

    private static void BucketFamily(
        TextWriter writer, IReadOnlyList<Layer> layers, string name, string help, Func<BucketSnapshot, bool> include, Func<BucketSnapshot, double> value)
    {
        Family(writer, name, "gauge", help);
        foreach (var layer in layers)
        {
            foreach (var bucket in layer.Buckets)
            {
                if (include(bucket))
                {
                    Sample(writer, name, [.. layer.Labels, ("bucket", bucket.Bucket)], value(bucket));
                }
            }
        }
    }

    private static void Family(TextWriter writer, string name, string type, string help)
    {
        // HELP text escapes backslash and line feed (not the double quote, unlike label values).
        writer.Write("# HELP ");
        writer.Write(name);
        writer.Write(' ');
        writer.Write(help.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal));
        writer.Write('\n');
        writer.Write("# TYPE ");
        writer.Write(name);
        writer.Write(' ');
        writer.Write(type);
        writer.Write('\n');
    }

    private static void Sample(TextWriter writer, string name, ReadOnlySpan<(string Name, string Value)> labels, double value)
    {
        writer.Write(name);
        if (labels.Length > 0)
        {
            writer.Write('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    writer.Write(',');
                }

                writer.Write(labels[i].Name);
                writer.Write("=\"");
                writer.Write(EscapeLabelValue(labels[i].Value));
                writer.Write('"');
            }

            writer.Write('}');
        }

        writer.Write(' ');
        writer.Write(FormatValue(value));
        writer.Write('\n');
    }

    private static List<Layer> Layers(MountStatistics statistics)
    {
        var layers = new List<Layer>(1 + statistics.Groups.Count + statistics.Files.Count)
        {
            new("mount", statistics.Mount.Name, statistics.Mount.Read, statistics.Mount.Write, statistics.Mount.Buckets),
        };
        foreach (var group in statistics.Groups)
        {
            layers.Add(new Layer("group", group.Name, group.Read, group.Write, group.Buckets));
        }

        foreach (var file in statistics.Files)
        {
            layers.Add(new Layer("file", file.Path, file.Read, file.Write, file.Buckets));
        }

        return layers;
    }

    /// <summary>The mount, a group or a file, seen the same way: two directions and some buckets.</summary>
    private sealed record Layer(string Kind, string Name, DirectionSnapshot Read, DirectionSnapshot Write, IReadOnlyList<BucketSnapshot> Buckets)
    {
        public (string Name, string Value)[] Labels { get; } = [("layer", Kind), ("name", Name)];

        public (string Direction, DirectionSnapshot Snapshot)[] Directions { get; } = [("read", Read), ("write", Write)];
    }
}
