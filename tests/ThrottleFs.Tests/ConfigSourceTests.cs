using ThrottleFs.Configuration;
using ThrottleFs.Qos;
using ThrottleFs.Throttling;

namespace ThrottleFs.Tests;

public sealed class ConfigSourceTests
{
    private const string Full = """
        // comments are allowed, as in the bundled config
        {
          "algorithm": "token",
          "on-change": "reset",
          "control-directory": ".tfs",
          "logging": { "level": "Debug", "file": "/tmp/throttlefs-test.log" },
          "file-limits": { "iops-total": 1000, "bps-total": "100M" },
          "mount-limits": { "total_bytes_sec": "1G" },
          "groups": {
            "vms": { "total_iops_sec": 500, "total_iops_sec_max": 5000, "total_iops_sec_max_length": 60, "size_iops_sec": 4096 },
            "empty": {}
          },
          "rules": [
            { "match": "images/*.qcow2", "group_name": "vms", "iops-total": 200 },
            { "match": "*.log", "iops-total": 10 },
            { "match": "*.iso", "group": "empty" }
          ],
          "files": { "/images/db.qcow2": { "iops-total": 2000, "group": "" } }
        }
        """;

    [Fact]
    public void EverySection_IsRead_QemuAndLibvirtNamesAlike()
    {
        using var config = new TempConfig(Full);
        var settings = new ConfigSource(config.Path, []).Load();
        var limits = EffectiveLimits.Resolve(settings, RuntimeOverrides.None);

        Assert.Equal(ThrottleAlgorithm.Token, settings.Algorithm);
        Assert.Equal(LevelsOnChange.Reset, settings.OnChange);
        Assert.Equal(".tfs", settings.ControlDirectory);
        Assert.Equal(Serilog.Events.LogEventLevel.Debug, settings.Logging.Level);
        Assert.Equal("/tmp/throttlefs-test.log", settings.Logging.File);
        Assert.Equal(1L << 30, limits.Mount.BpsTotal.Avg);
        Assert.Equal(ThrottleAlgorithm.Token, limits.Mount.Algorithm); // the global algorithm is every set's default

        var vms = limits.Groups["vms"];
        Assert.Equal((500, 5000, 60, 4096), (vms.IopsTotal.Avg, vms.IopsTotal.Max, vms.IopsTotal.MaxLength, vms.IopsSize));
        Assert.False(limits.Groups["empty"].IsEnabled); // an empty group exists: its files share statistics

        var (own, group) = limits.ForFile("images/vm1.qcow2");
        Assert.Equal((200, 100L << 20, "vms"), (own.IopsTotal.Avg, own.BpsTotal.Avg, group)); // the rule changes the defaults
        Assert.Equal((10, (string?)null), (limits.ForFile("var/x.log").Own.IopsTotal.Avg, limits.ForFile("var/x.log").Group));
        Assert.Equal("empty", limits.ForFile("a.iso").Group);
        Assert.Equal((1000, (string?)null), (limits.ForFile("other.raw").Own.IopsTotal.Avg, limits.ForFile("other.raw").Group));

        // An exact path comes after its rule: its limits win, and "" takes it out of the rule's group.
        Assert.Equal((2000, (string?)null), (limits.ForFile("images/db.qcow2").Own.IopsTotal.Avg, limits.ForFile("images/db.qcow2").Group));
    }

    [Fact]
    public void EveryProblem_IsNamedByFileKeyAndReason()
    {
        using var config = new TempConfig("""
            {
              "algoritm": "leaky",
              "file-limits": { "iops-totl": 100, "bps-total": "fast" },
              "groups": { "vms": { "iops-total-max": 10 } },
              "rules": [ { "group": "vms" }, { "match": "*.img", "group": "nope" } ],
              "logging": { "level": "Loud" }
            }
            """);
        var refused = Assert.Throws<ConfigException>(() => new ConfigSource(config.Path, []).Load());
        var errors = string.Join("\n", refused.Errors);

        Assert.All(refused.Errors, error => Assert.StartsWith(config.Path + ": ", error));
        Assert.Contains("algoritm: unknown setting", errors);
        Assert.Contains("did you mean 'algorithm'?", errors);
        Assert.Contains("file-limits.iops-totl: unknown key 'iops-totl' (did you mean 'iops-total'?)", errors);
        Assert.Contains("file-limits.bps-total:", errors);
        Assert.Contains("rules[0]: a rule needs \"match\"", errors);
        Assert.Contains("logging.level: 'Loud' is not a level", errors);
        Assert.DoesNotContain("bps-total: bps-total", errors); // the path names the key once
    }

    [Fact]
    public void WholeConfigRules_AreCheckedAfterEveryKeyParses()
    {
        using var config = new TempConfig("""
            { "groups": { "vms": { "iops-total-max": 10 } }, "rules": [ { "match": "*.img", "group": "nope" } ] }
            """);
        var errors = string.Join("\n", Assert.Throws<ConfigException>(() => new ConfigSource(config.Path, []).Load()).Errors);

        Assert.Contains("group vms: ", errors);
        Assert.Contains("iops-total-max", errors);
        Assert.Contains("rules[0] (*.img): group 'nope' is not defined", errors);
    }

    [Theory]
    [InlineData("{ \"file-limits\": { \"iops-total\": 100, } ", "not valid JSON")]
    [InlineData("[1, 2]", "must be an object")]
    [InlineData("{\n  \"file-limits\": {\n    \"iops-total\": 10\n    \"bps-total\": 5\n  }\n}", "not valid JSON at line 4, column 5: '\"' is invalid after a value")]
    public void MalformedJson_IsRefusedNamingTheFile(string json, string reason)
    {
        using var config = new TempConfig(json);
        var refused = Assert.Throws<ConfigException>(() => new ConfigSource(config.Path, []).Load());
        Assert.Contains(config.Path, refused.Message);
        Assert.Contains(reason, refused.Message);
    }

    [Fact]
    public void MissingFile_IsRefused() =>
        Assert.Contains("no such file", Assert.Throws<ConfigException>(() => new ConfigSource("/nonexistent/throttlefs.json", []).Load()).Message);

    [Fact]
    public void CommandLineSettings_OverrideTheFile_AndLimitOptionsReplaceTheirSection()
    {
        using var config = new TempConfig("""{ "file-limits": { "iops-total": 100, "iops-total-max": 1000 }, "mount-limits": { "bps-total": "1M" } }""");
        var settings = new ConfigSource(
            config.Path,
            ["mount-limits:bps-total=2M", "groups:fast:iops-total=9"],
            ThrottleAlgorithm.Token,
            FileLimits: ThrottleSpec.Parse("iops-total=7")).Load();
        var limits = EffectiveLimits.Resolve(settings, RuntimeOverrides.None);

        Assert.Equal(2L << 20, limits.Mount.BpsTotal.Avg);
        Assert.Equal(9, limits.Groups["fast"].IopsTotal.Avg);
        Assert.Equal((7L, 0L), (limits.FileDefault.IopsTotal.Avg, limits.FileDefault.IopsTotal.Max)); // replaced, not merged
        Assert.Equal(ThrottleAlgorithm.Token, limits.FileDefault.Algorithm);
    }

    [Fact]
    public void EnvironmentVariables_OverrideTheFile_WithUnderscoresForDashes()
    {
        using var config = new TempConfig("""{ "mount-limits": { "iops-total": 100, "total_bytes_sec": "1M" } }""");
        Environment.SetEnvironmentVariable("THROTTLEFS_MOUNT_LIMITS__BPS_TOTAL", "3M");
        Environment.SetEnvironmentVariable("THROTTLEFS_SOMETHING_ELSE", "ignored: not a setting");
        try
        {
            // The variable overrides the file's key (under its libvirt name), and the file's other keys stay.
            var limits = EffectiveLimits.Resolve(new ConfigSource(config.Path, []).Load(), RuntimeOverrides.None);
            Assert.Equal((3L << 20, 100L), (limits.Mount.BpsTotal.Avg, limits.Mount.IopsTotal.Avg));
        }
        finally
        {
            Environment.SetEnvironmentVariable("THROTTLEFS_MOUNT_LIMITS__BPS_TOTAL", null);
            Environment.SetEnvironmentVariable("THROTTLEFS_SOMETHING_ELSE", null);
        }
    }

    [Fact]
    public void OneKeyTwiceInOneFile_IsRefused_UnderAnyOfItsNames()
    {
        using var config = new TempConfig("""{ "file-limits": { "iops-total": 100, "total_iops_sec": 200 } }""");
        var refused = Assert.Throws<ConfigException>(() => new ConfigSource(config.Path, []).Load());
        Assert.Contains("iops-total is given twice (as 'iops-total' and 'total_iops_sec')", refused.Message);
    }

    [Fact]
    public void BadSetSyntax_IsRefused() =>
        Assert.Contains("write KEY=VALUE", Assert.Throws<ConfigException>(() => new ConfigSource(ConfigSource.BundledPath, ["mount-limits"]).Load()).Message);

    [Fact]
    public void TheBundledDefault_IsValid_AndThrottlesEveryFileLikeACloudDisk()
    {
        var settings = new ConfigSource(null, []).Load();
        var limits = EffectiveLimits.Resolve(settings, RuntimeOverrides.None);

        Assert.Equal(3000, limits.FileDefault.IopsTotal.Avg);
        Assert.Equal(6000, limits.FileDefault.IopsTotal.Max);
        Assert.Equal(125L << 20, limits.FileDefault.BpsTotal.Avg);
        Assert.False(limits.Mount.IsEnabled);
        Assert.Equal(".throttlefs", settings.ControlDirectory);
    }
}
