using System.Text;
using System.Text.Json;
using ThrottleFs.Statistics;

namespace ThrottleFs.Tests;

public class StatisticsJsonTests
{
    [Fact]
    public void RoundTrip_GivesBackEveryValue()
    {
        var original = SampleStatistics.Busy();

        var json = StatisticsJson.Serialize(original);
        var parsed = StatisticsJson.Parse(json);

        StatisticsAssert.Equal(original, parsed);
        Assert.Equal(json, StatisticsJson.Serialize(parsed));
    }

    [Fact]
    public void RoundTrip_FromUtf8Bytes_GivesBackEveryValue()
    {
        var original = SampleStatistics.Busy();

        var parsed = StatisticsJson.Parse(StatisticsJson.SerializeToUtf8Bytes(original));

        StatisticsAssert.Equal(original, parsed);
        Assert.Null(parsed.Files[1].Group);
        Assert.Equal("db", parsed.Files[0].Group);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(1.0 / 3)]
    [InlineData(1e-300)]
    [InlineData(double.Epsilon)]
    [InlineData(double.MaxValue)]
    [InlineData(-0.0)]
    [InlineData(123456789.123456789)]
    public void Doubles_RoundTripBitForBit(double value)
    {
        var original = SampleStatistics.Busy() with { UptimeSeconds = value };

        var parsed = StatisticsJson.Parse(StatisticsJson.Serialize(original));

        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(parsed.UptimeSeconds));
    }

    [Fact]
    public void Time_KeepsItsOffsetAndTicks()
    {
        var parsed = StatisticsJson.Parse(StatisticsJson.Serialize(SampleStatistics.Busy()));

        Assert.Equal(SampleStatistics.Time.Ticks, parsed.Time.Ticks);
        Assert.Equal(TimeSpan.FromHours(2), parsed.Time.Offset);
    }

    [Fact]
    public void Output_IsIndentedCamelCaseWithLineFeeds()
    {
        var json = StatisticsJson.Serialize(SampleStatistics.Busy());

        Assert.StartsWith("{\n  \"time\": \"2025-06-01T12:30:15.1234567+02:00\",\n  \"uptimeSeconds\": 3725.125,\n  \"mount\": {", json, StringComparison.Ordinal);
        foreach (var name in new[] { "groups", "files", "path", "opens", "limits", "group", "read", "write", "buckets", "members",
                     "ops", "bytes", "throttled", "waitP50Ms", "waitP90Ms", "waitP99Ms", "waitMaxMs", "waitTotalMs", "queueDepth",
                     "bucket", "avg", "max", "level", "capacity", "fill", "burstSecondsLeft" })
        {
            Assert.Contains($"\"{name}\": ", json, StringComparison.Ordinal);
        }

        Assert.DoesNotContain('\r', json);
        // A computed helper of the model is not part of the document.
        Assert.DoesNotContain("hasBurst", json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Compact_IsOneLineWithTheSameValues()
    {
        var original = SampleStatistics.Busy();

        var line = StatisticsJson.Serialize(original, indented: false);

        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("{\"time\":\"2025-06-01T12:30:15.1234567+02:00\",\"uptimeSeconds\":3725.125,", line, StringComparison.Ordinal);
        // The path's newline is escaped inside its string, which is what keeps NDJSON one snapshot per line.
        Assert.Contains(@"""path"":""we\""ird\\dir\nname.img""", line, StringComparison.Ordinal);
        StatisticsAssert.Equal(original, StatisticsJson.Parse(line));
    }

    [Fact]
    public void NonAsciiPaths_AreWrittenAsTheyAre()
    {
        var original = SampleStatistics.Busy() with
        {
            Files = [SampleStatistics.File("vidéo+ü.img", DirectionSnapshot.Zero, DirectionSnapshot.Zero)],
        };

        var bytes = StatisticsJson.SerializeToUtf8Bytes(original);

        Assert.Contains("\"path\": \"vidéo+ü.img\"", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Equal("vidéo+ü.img", StatisticsJson.Parse(bytes).Files[0].Path);
    }

    [Fact]
    public void NonFiniteDoubles_AreWrittenFinite()
    {
        var bucket = new BucketSnapshot("iops-total", 100, 0, 0, 0, double.NaN, double.PositiveInfinity);
        var original = SampleStatistics.Busy() with
        {
            UptimeSeconds = double.NegativeInfinity,
            Mount = SampleStatistics.UnlimitedMount with { Buckets = [bucket] },
        };

        var json = StatisticsJson.Serialize(original);
        var parsed = StatisticsJson.Parse(json);

        Assert.DoesNotContain("NaN", json, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", json, StringComparison.Ordinal);
        Assert.Equal(0, parsed.Mount.Buckets[0].Fill);
        Assert.Equal(double.MaxValue, parsed.Mount.Buckets[0].BurstSecondsLeft);
        Assert.Equal(double.MinValue, parsed.UptimeSeconds);
    }

    [Fact]
    public void Parse_RefusesAMissingProperty()
    {
        var json = StatisticsJson.Serialize(SampleStatistics.Busy() with { Files = [] });
        var withoutFiles = json.Replace(",\n  \"files\": []", "", StringComparison.Ordinal);
        Assert.NotEqual(json, withoutFiles);

        var e = Assert.Throws<JsonException>(() => StatisticsJson.Parse(withoutFiles));
        Assert.Contains("files", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RefusesNullWhereTheModelHasNone()
    {
        var json = StatisticsJson.Serialize(SampleStatistics.Busy() with { Groups = [] });
        var nullGroups = json.Replace("\"groups\": []", "\"groups\": null", StringComparison.Ordinal);
        Assert.NotEqual(json, nullGroups);

        Assert.Throws<JsonException>(() => StatisticsJson.Parse(nullGroups));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("{\"time\": \"yesterday\"")]
    [InlineData("[]")]
    public void Parse_RefusesWhatIsNotAStatisticsDocument(string json)
    {
        Assert.Throws<JsonException>(() => StatisticsJson.Parse(json));
    }
}
