using System.Text.Json;
using ThrottleFs.Cli;

namespace ThrottleFs.Tests.Cli;

/// <summary><c>throttlefs simulate</c>: candidates side by side, JSON, the timeline, and bad input named.</summary>
public sealed class SimulateCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("throttlefs-simulate-").FullName;
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Json_ForOneCandidate_HasTheTotalsAndEachFile()
    {
        var trace = BackToBackTrace(2000);

        Assert.Equal(0, Run("simulate", trace, "--limit", "iops-total=100", "--json"));

        using var json = JsonDocument.Parse(_output.ToString());
        var root = json.RootElement;
        Assert.Equal("iops-total=100", root.GetProperty("candidate").GetString());
        Assert.Equal("closed", root.GetProperty("mode").GetString());
        Assert.Equal(19.89, root.GetProperty("duration_s").GetDouble(), 5);
        Assert.Equal(2000, root.GetProperty("ops").GetInt64());
        Assert.Equal(1989, root.GetProperty("waited_ops").GetInt64());
        Assert.Equal(10.0, root.GetProperty("wait_p99_ms").GetDouble(), 3);
        Assert.Equal("disk.img", root.GetProperty("files")[0].GetProperty("path").GetString());
        foreach (var key in (string[])["recorded_duration_s", "wait_p50_ms", "wait_p90_ms", "wait_max_ms", "peak_queue_depth", "refused_ops"])
        {
            Assert.True(root.TryGetProperty(key, out _), key);
        }
    }

    [Fact]
    public void SeveralCandidates_AreComparedInOneTable_AndAsAJsonArray()
    {
        var trace = BackToBackTrace(1000);

        Assert.Equal(0, Run("simulate", trace, "--limit", "iops-total=100", "--limit", "iops-total=500"));
        var table = _output.ToString();
        Assert.Contains("Candidate", table);
        var mountRows = table.Split('\n').Where(line => line.Contains(" mount ")).ToList();
        Assert.Equal(2, mountRows.Count);
        Assert.StartsWith("iops-total=100", mountRows[0]);
        Assert.Contains("9.89 s", mountRows[0]);
        Assert.StartsWith("iops-total=500", mountRows[1]);
        Assert.Contains("1.90 s", mountRows[1]); // 51 at once, then one every 2 ms: 949 × 2 ms

        _output.GetStringBuilder().Clear();
        Assert.Equal(0, Run("simulate", trace, "--limit", "iops-total=100", "--limit", "iops-total=500", "--json", "--mode", "open"));
        using var json = JsonDocument.Parse(_output.ToString());
        Assert.Equal(2, json.RootElement.GetArrayLength());
        Assert.Equal("open", json.RootElement[1].GetProperty("mode").GetString());
    }

    [Fact]
    public void TheTimeline_HasRequestsDonePerSecond_RecordedAndPerCandidate()
    {
        var trace = BackToBackTrace(300);
        var timeline = Path.Combine(_directory, "timeline.tsv");

        Assert.Equal(0, Run("simulate", trace, "--limit", "iops-total=100", "--limit", "iops-total=200", "--timeline", timeline));

        var lines = File.ReadAllLines(timeline);
        Assert.Equal("second\trecorded\tiops-total=100\tiops-total=200", lines[0]);
        Assert.Equal("0\t300\t110\t220", lines[1]); // 11 at once, then 100/s (21 and 200/s)
        Assert.Equal("1\t0\t100\t80", lines[2]);
        Assert.Equal(300, lines.Skip(1).Sum(line => int.Parse(line.Split('\t')[2])));
    }

    [Fact]
    public void AConfig_IsSimulatedWithItsGroups()
    {
        var config = Path.Combine(_directory, "vms.json");
        File.WriteAllText(config, """{ "groups": { "vms": { "iops-total": 100 } }, "rules": [ { "match": "*.img", "group": "vms" } ] }""");

        Assert.Equal(0, Run("simulate", BackToBackTrace(500), "--config", config));

        Assert.Contains(_output.ToString().Split('\n'), line => line.StartsWith("group  vms", StringComparison.Ordinal) && line.Contains("4.89 s"));
    }

    [Theory]
    [InlineData(new[] { "--limit", "iops-totl=100" }, "--limit: unknown key 'iops-totl'")]
    [InlineData(new string[0], "give the limits to try")]
    [InlineData(new[] { "--limit", "iops-total=100", "--algorithm", "fast" }, "--algorithm")]
    public void BadLimits_AreRefusedByName(string[] options, string message)
    {
        Assert.Equal(2, Run(["simulate", BackToBackTrace(10), .. options]));
        Assert.Contains(message, _error.ToString());
    }

    [Fact]
    public void AMissingTrace_IsNamed()
    {
        Assert.Equal(2, Run("simulate", Path.Combine(_directory, "nope.log"), "--limit", "iops-total=100"));
        Assert.Contains("cannot read", _error.ToString());
        Assert.Contains("nope.log", _error.ToString());
    }

    private string BackToBackTrace(int count)
    {
        var path = Path.Combine(_directory, $"trace{count}.log");
        File.WriteAllLines(path, ["fio version 3 iolog", "0 disk.img add", "0 disk.img open", .. Enumerable.Range(0, count).Select(k => $"0 disk.img read {k * 4096} 4096 0 0"), "0 disk.img close"]);
        return path;
    }

    private int Run(params string[] args) => ThrottleFsCommandLine.Run(args, new ThrowingMountHost(), _error, _output);
}
