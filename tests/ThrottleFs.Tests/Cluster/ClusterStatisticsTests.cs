using ThrottleFs.Cli;
using ThrottleFs.Statistics;
using static ThrottleFs.Tests.SampleStatistics;

namespace ThrottleFs.Tests.Cluster;

/// <summary>How a cluster-wide group shows in <c>stats</c> and in the metrics.</summary>
public sealed class ClusterStatisticsTests
{
    private static readonly MountStatistics Statistics = new(
        Time,
        10,
        UnlimitedMount,
        [
            new LayerStatistics("local", "iops-total=10", Direction(1, 4096), Direction(0, 0), [], []),
            new LayerStatistics("vms", "iops-total=200", Direction(100, 409_600), Direction(0, 0), [], ["disk.img"],
                new ClusterSnapshot("hv1", "leasing", "", "", [new("hv1", 0.5, 0.01), new("hv2", 0.5, 0.02)], 412, 0)),
            new LayerStatistics("web", "iops-total=300", Direction(0, 0), Direction(0, 0), [], [],
                new ClusterSnapshot("hv1", "fallback", "the shared store failed: connection refused", "iops-total=150", [new("hv1", 0, 3)], 9, 4)),
        ],
        []);

    [Fact]
    public void TheTable_NamesTheKindAndListsTheHostsUnderneath()
    {
        var rows = StatsTable.Rows(null, Statistics);

        Assert.Equal(["group", "cluster", "fallback"], rows.Select(row => row.Kind));
        Assert.Equal(
            [
                "vms: leasing as hv1 · hosts hv1 50 %, hv2 50 % · 412 calls to Redis",
                "web: on its fallback share as hv1 (iops-total=150): the shared store failed: connection refused · hosts hv1 0 % · 9 calls to Redis, 4 failed",
            ],
            StatsTable.ClusterLines(Statistics));
    }

    [Fact]
    public void TheMetrics_SayWhoIsOnItsFallback_AndEachHostsShare()
    {
        var families = PrometheusTextParser.Parse(PrometheusFormat.Render(Statistics));

        double Value(string family, params (string Key, string Value)[] labels) => families.Single(f => f.Name == family).Samples
            .Single(sample => labels.All(label => sample.Labels[label.Key] == label.Value)).Value;

        Assert.Equal(0, Value("throttlefs_cluster_fallback", ("name", "vms")));
        Assert.Equal(1, Value("throttlefs_cluster_fallback", ("name", "web")));
        Assert.Equal(2, Value("throttlefs_cluster_hosts", ("name", "vms")));
        Assert.Equal(0.5, Value("throttlefs_cluster_host_share_ratio", ("name", "vms"), ("host", "hv2")));
        Assert.Equal(412, Value("throttlefs_cluster_calls_total", ("name", "vms")));
        Assert.Equal(4, Value("throttlefs_cluster_failures_total", ("name", "web")));
        Assert.DoesNotContain(families.Single(f => f.Name == "throttlefs_cluster_hosts").Samples, sample => sample.Labels["name"] == "local");
    }

    [Fact]
    public void TheJson_HasTheLeaseUnderTheGroup_AndNothingForALocalGroup()
    {
        var json = StatisticsJson.Serialize(Statistics);

        Assert.Contains("\"cluster\": {", json);
        Assert.Contains("\"state\": \"fallback\"", json);
        Assert.Contains("\"fallbackLimits\": \"iops-total=150\"", json);
    }
}
