using System.Text;
using ThrottleFs.Configuration;

namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// What the config fuzzing found, fixed, each kept as a test of the fixed behaviour: rule patterns that threw, a
/// number that overflowed, sections of the wrong JSON type taken as empty, bytes that are not UTF-8 taken as U+FFFD,
/// two spellings of one file silently merged, and loading time quadratic in the number of file entries.
/// </summary>
public sealed class ConfigFuzzFindings : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("throttlefs-config-bugs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("[")]
    [InlineData("images/*.img[")]
    [InlineData("[z-a].img")]
    public void ARulePatternThatIsNoGlob_IsRefusedWithAConfigExceptionNamingTheRule(string pattern)
    {
        var refusal = Assert.Throws<ConfigException>(() => Load(Encoding.UTF8.GetBytes($$"""{ "rules": [ { "match": {{System.Text.Json.JsonSerializer.Serialize(pattern)}}, "iops-total": 5 } ] }""")));
        Assert.Contains("rules[0]", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LongMinValueWithASuffix_IsRefusedWithAConfigExceptionNamingTheKey()
    {
        var refusal = Assert.Throws<ConfigException>(() => Load("""{ "mount-limits": { "iops-total": "-9223372036854775808K" } }"""u8));
        Assert.Contains("mount-limits.iops-total", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "mount-limits": "400M" }""", "mount-limits")]
    [InlineData("""{ "file-limits": 100 }""", "file-limits")]
    [InlineData("""{ "file-limits": null }""", "file-limits")]
    [InlineData("""{ "file-limits": [] }""", "file-limits")]
    [InlineData("""{ "rules": 5 }""", "rules")]
    [InlineData("""{ "groups": "vms" }""", "groups")]
    [InlineData("""{ "groups": [ { "iops-total": 5 } ] }""", "groups")]
    [InlineData("""{ "files": { "a.img": 5 } }""", "files")]
    [InlineData("""{ "files": [ 1 ] }""", "files")]
    [InlineData("""{ "logging": "Debug" }""", "logging")]
    [InlineData("""{ "logging": { "file": { "path": "/tmp/x.log" } } }""", "logging.file")]
    public void ASectionOfTheWrongJsonType_IsRefusedNamingIt(string json, string section)
    {
        var refusal = Assert.Throws<ConfigException>(() => Load(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(section, refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidUtf8InAString_IsRefused()
    {
        Assert.Throws<ConfigException>(() => Load([.. "{ \"rules\": [ { \"match\": \"caf"u8, 0xE9, .. ".img\", \"iops-total\": 5 } ] }"u8]));
        Assert.Throws<ConfigException>(() => Load([.. "{ \"files\": { \"caf"u8, 0xE9, .. ".img\": { \"iops-total\": 5 } } }"u8]));
    }

    [Fact]
    public void TwoSpellingsOfOneFile_AreRefused_NotSilentlyDropped()
    {
        var refusal = Assert.Throws<ConfigException>(() => Load("""{ "files": { "/a.img": { "iops-total": 5 }, "./a.img": { "bps-total": "9M" } } }"""u8));
        Assert.Contains("a.img", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwentyThousandFileEntries_LoadInAFewSeconds()
    {
        var files = string.Join(",", Enumerable.Range(0, 20_000).Select(i => $"\"images/disk-{i}.img\": {{ \"iops-total\": {i + 1} }}"));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        Load(Encoding.UTF8.GetBytes($"{{ \"files\": {{ {files} }} }}"));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"{clock.Elapsed.TotalSeconds:F1} s"); // it took 24 s; a guard, not a benchmark
    }

    private ThrottleFsSettings Load(ReadOnlySpan<byte> document)
    {
        var path = Path.Combine(_directory, "throttlefs.json");
        File.WriteAllBytes(path, document.ToArray());
        return new ConfigSource(path, []).Load();
    }
}
