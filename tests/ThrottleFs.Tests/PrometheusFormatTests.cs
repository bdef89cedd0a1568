using System.Globalization;
using System.Text;
using ThrottleFs.Statistics;

namespace ThrottleFs.Tests;

public class PrometheusFormatTests
{
    private const string WeirdPath = "we\"ird\\dir\nname.img";

    private static readonly (string Name, string Type)[] ExpectedFamilies =
    [
        ("throttlefs_uptime_seconds", "gauge"),
        ("throttlefs_ops_total", "counter"),
        ("throttlefs_bytes_total", "counter"),
        ("throttlefs_throttled_ops_total", "counter"),
        ("throttlefs_wait_seconds", "gauge"),
        ("throttlefs_wait_max_seconds", "gauge"),
        ("throttlefs_waited_seconds_total", "counter"),
        ("throttlefs_queue_depth", "gauge"),
        ("throttlefs_refused_ops_total", "counter"),
        ("throttlefs_bucket_limit_avg", "gauge"),
        ("throttlefs_bucket_limit_max", "gauge"),
        ("throttlefs_bucket_fill_ratio", "gauge"),
        ("throttlefs_bucket_burst_left_seconds", "gauge"),
        ("throttlefs_file_open_handles", "gauge"),
    ];

    private readonly MountStatistics statistics = SampleStatistics.Busy();
    private readonly IReadOnlyList<PrometheusTextParser.Family> families;

    public PrometheusFormatTests()
    {
        families = PrometheusTextParser.Parse(PrometheusFormat.Render(statistics));
    }

    [Fact]
    public void Output_HasEveryFamilyOnceWithHelpAndType()
    {
        Assert.Equal(ExpectedFamilies, families.Select(f => (f.Name, f.Type)));
        Assert.All(families, f => Assert.False(string.IsNullOrWhiteSpace(f.Help), $"{f.Name} has no help"));
    }

    [Fact]
    public void DirectionFamilies_HaveASeriesPerLayerAndDirection()
    {
        // The mount, 2 groups and 3 files, each read and write.
        const int series = (1 + 2 + 3) * 2;
        foreach (var name in new[] { "throttlefs_ops_total", "throttlefs_bytes_total", "throttlefs_throttled_ops_total",
                     "throttlefs_wait_max_seconds", "throttlefs_waited_seconds_total", "throttlefs_queue_depth" })
        {
            var samples = Family(name).Samples;
            Assert.Equal(series, samples.Count);
            Assert.All(samples, s => Assert.Equal(["direction", "layer", "name"], s.Labels.Keys.Order(StringComparer.Ordinal)));
        }

        Assert.Equal(series * 3, Family("throttlefs_wait_seconds").Samples.Count);
        Assert.Equal(series * 3, Family("throttlefs_refused_ops_total").Samples.Count); // one per cause
    }

    [Fact]
    public void Counters_MatchTheSnapshot()
    {
        var disk = statistics.Files[0];
        Assert.Equal(disk.Read.Bytes, Value("throttlefs_bytes_total", "file", "disk.img", ("direction", "read")));
        Assert.Equal(disk.Write.Bytes, Value("throttlefs_bytes_total", "file", "disk.img", ("direction", "write")));
        Assert.Equal(disk.Read.Ops, Value("throttlefs_ops_total", "file", "disk.img", ("direction", "read")));
        Assert.Equal(disk.Write.Throttled, Value("throttlefs_throttled_ops_total", "file", "disk.img", ("direction", "write")));

        var db = statistics.Groups[0];
        Assert.Equal(db.Read.Ops, Value("throttlefs_ops_total", "group", "db", ("direction", "read")));
        Assert.Equal(db.Read.Throttled, Value("throttlefs_throttled_ops_total", "group", "db", ("direction", "read")));
        Assert.Equal(statistics.Mount.Write.Bytes, Value("throttlefs_bytes_total", "mount", "mount", ("direction", "write")));
        Assert.Equal(0, Value("throttlefs_ops_total", "group", "web", ("direction", "write")));
    }

    [Fact]
    public void Waits_AreInSecondsByQuantile()
    {
        var read = statistics.Mount.Read;
        Assert.Equal(read.WaitP50Ms / 1000, Value("throttlefs_wait_seconds", "mount", "mount", ("direction", "read"), ("quantile", "0.5")));
        Assert.Equal(read.WaitP90Ms / 1000, Value("throttlefs_wait_seconds", "mount", "mount", ("direction", "read"), ("quantile", "0.9")));
        Assert.Equal(read.WaitP99Ms / 1000, Value("throttlefs_wait_seconds", "mount", "mount", ("direction", "read"), ("quantile", "0.99")));
        Assert.Equal(read.WaitMaxMs / 1000, Value("throttlefs_wait_max_seconds", "mount", "mount", ("direction", "read")));
        Assert.Equal(read.WaitTotalMs / 1000, Value("throttlefs_waited_seconds_total", "mount", "mount", ("direction", "read")));
        Assert.Equal(read.QueueDepth, Value("throttlefs_queue_depth", "mount", "mount", ("direction", "read")));

        // Tiny values survive the text form exactly.
        var write = statistics.Files[0].Write;
        Assert.Equal(write.WaitP99Ms / 1000, Value("throttlefs_wait_seconds", "file", "disk.img", ("direction", "write"), ("quantile", "0.99")));
        Assert.Equal(write.WaitMaxMs / 1000, Value("throttlefs_wait_max_seconds", "file", "disk.img", ("direction", "write")));
    }

    [Fact]
    public void Buckets_HaveTheirLimitsAndFill()
    {
        Assert.Equal(500, Value("throttlefs_bucket_limit_avg", "file", "disk.img", ("bucket", "iops-read")));
        Assert.Equal(900, Value("throttlefs_bucket_limit_max", "file", "disk.img", ("bucket", "iops-read")));
        Assert.Equal(12.25 / 9000, Value("throttlefs_bucket_fill_ratio", "file", "disk.img", ("bucket", "iops-read")));
        Assert.Equal(10_485_760, Value("throttlefs_bucket_limit_avg", "group", "db", ("bucket", "bps-total")));
        Assert.Equal(1, Value("throttlefs_bucket_fill_ratio", "group", "db", ("bucket", "bps-total")));
        Assert.Equal(2000, Value("throttlefs_bucket_limit_max", "mount", "mount", ("bucket", "iops-total")));
        // Mount 1, db 1, disk.img 2.
        Assert.Equal(4, Family("throttlefs_bucket_limit_avg").Samples.Count);
    }

    [Fact]
    public void BurstLeft_IsOnlyForBucketsWithABurst()
    {
        Assert.Equal(9.9861, Value("throttlefs_bucket_burst_left_seconds", "file", "disk.img", ("bucket", "iops-read")));
        Assert.Equal(0.8495, Value("throttlefs_bucket_burst_left_seconds", "mount", "mount", ("bucket", "iops-total")));
        Assert.Equal(
            [("mount", "iops-total"), ("file", "iops-read")],
            Family("throttlefs_bucket_burst_left_seconds").Samples.Select(s => (s.Labels["layer"], s.Labels["bucket"])));
    }

    [Fact]
    public void FilesAndUptime_AreGauges()
    {
        Assert.Equal(2, Value("throttlefs_file_open_handles", "file", "disk.img"));
        Assert.Equal(0, Value("throttlefs_file_open_handles", "file", "logs/app.log"));
        Assert.Equal(3, Family("throttlefs_file_open_handles").Samples.Count);
        var uptime = Assert.Single(Family("throttlefs_uptime_seconds").Samples);
        Assert.Empty(uptime.Labels);
        Assert.Equal(3725.125, uptime.Value);
    }

    [Fact]
    public void LabelValues_AreEscaped()
    {
        var text = PrometheusFormat.Render(statistics);

        Assert.Contains("throttlefs_bytes_total{layer=\"file\",name=\"we\\\"ird\\\\dir\\nname.img\",direction=\"read\"} 8192000\n", text, StringComparison.Ordinal);
        Assert.Equal(8_192_000, Value("throttlefs_bytes_total", "file", WeirdPath, ("direction", "read")));
        Assert.Equal(1, Value("throttlefs_file_open_handles", "file", WeirdPath));
    }

    [Theory]
    [InlineData("plain/path.img", "plain/path.img")]
    [InlineData("a\"b", "a\\\"b")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("a\nb", "a\\nb")]
    [InlineData("\\\"\n", "\\\\\\\"\\n")]
    [InlineData("tab\tand é stay", "tab\tand é stay")]
    public void EscapeLabelValue_EscapesBackslashQuoteAndLineFeed(string value, string escaped)
    {
        Assert.Equal(escaped, PrometheusFormat.EscapeLabelValue(value));
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(0.0, "0")]
    [InlineData(1e-5, "1E-05")]
    [InlineData(12345678901234.0, "12345678901234")]
    public void FormatValue_UsesPrometheusSpellings(double value, string text)
    {
        Assert.Equal(text, PrometheusFormat.FormatValue(value));
    }

    [Fact]
    public void NonFiniteValues_ParseBack()
    {
        var odd = statistics with { UptimeSeconds = double.PositiveInfinity };
        var parsed = PrometheusTextParser.Parse(PrometheusFormat.Render(odd));

        Assert.Equal(double.PositiveInfinity, Assert.Single(parsed.Single(f => f.Name == "throttlefs_uptime_seconds").Samples).Value);
    }

    [Fact]
    public void WriterAndBuilder_GiveTheSameText_WhateverTheWriterCulture()
    {
        // A caller's writer may format numbers its own way; the exposition format always wants "1.5", never "1,5".
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NegativeSign = "~";
        using var writer = new StringWriter(culture);
        var builder = new StringBuilder("# preface\n");

        PrometheusFormat.Write(statistics, writer);
        PrometheusFormat.Write(statistics, builder);

        var expected = PrometheusFormat.Render(statistics);
        Assert.Equal(expected, writer.ToString());
        Assert.Equal("# preface\n" + expected, builder.ToString());
        Assert.Contains("throttlefs_uptime_seconds 3725.125\n", expected, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyMount_StillHasEveryFamily()
    {
        var empty = new MountStatistics(SampleStatistics.Time, 0.5, SampleStatistics.UnlimitedMount, [], []);

        var parsed = PrometheusTextParser.Parse(PrometheusFormat.Render(empty));

        Assert.Equal(ExpectedFamilies.Select(f => f.Name), parsed.Select(f => f.Name));
        Assert.Empty(parsed.Single(f => f.Name == "throttlefs_bucket_limit_avg").Samples);
        Assert.Equal(2, parsed.Single(f => f.Name == "throttlefs_ops_total").Samples.Count);
    }

    [Fact]
    public void Parser_RejectsWhatTheFormatForbids()
    {
        // The checks above mean something only if the parser is strict.
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("# TYPE x_total counter\nx_total 1\n"));
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("# HELP x h\n# TYPE x counter\nx 1\n"));
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("# HELP x h\n# TYPE x gauge\nx{a=\"b\\t\"} 1\n"));
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("# HELP x h\n# TYPE x gauge\nx{a=\"b\"} 1"));
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("# HELP x h\n# TYPE x gauge\ny 1\n"));
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("# HELP x h\n# TYPE x gauge\nx 1\nx 2\n"));
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("# HELP x h\n# TYPE x gauge\nx 1 1700000000\n"));
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("# HELP x h\r\n# TYPE x gauge\r\nx 1\r\n"));
        Assert.Single(PrometheusTextParser.Parse("# HELP x h\n# TYPE x gauge\nx{a=\"\\\"\"} 1\n"));
    }

    private PrometheusTextParser.Family Family(string name) => families.Single(f => f.Name == name);

    private double Value(string family, string layer, string name, params (string Label, string Value)[] labels)
    {
        var matches = Family(family).Samples
            .Where(s => s.Labels["layer"] == layer && s.Labels["name"] == name && labels.All(l => s.Labels[l.Label] == l.Value))
            .ToList();
        return Assert.Single(matches).Value;
    }
}
