using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using ThrottleFs.Configuration;
using Xunit.Abstractions;

namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// Hostile config files through <see cref="ConfigSource.Load"/>, as <c>--config</c>, <c>throttlefs validate</c> and the
/// watcher read them: every document is either loaded or refused with a <see cref="ConfigException"/> (never another
/// exception), every message of a refusal starts with the file's path and says something after it, a document broken
/// on purpose is refused naming what broke it, and an accepted one, written out as <c>.throttlefs/control</c> shows it,
/// loads back to the same limits (the keys of a set may come back in another order). Seeded: a failure names the seed (<see cref="FuzzSeed"/>) and the document, shrunk.
/// </summary>
public sealed class ConfigFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int HostileDocuments = 600;
    private const int ValidDocuments = 150;

    private readonly string _directory = Directory.CreateTempSubdirectory("throttlefs-config-fuzz-").FullName;

    private string ConfigPath => Path.Combine(_directory, "throttlefs.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task HostileDocuments_AreRefusedWithAConfigException_EachMessageNamingTheFileAndTheProblem()
    {
        var random = FuzzSeed.For(nameof(HostileDocuments_AreRefusedWithAConfigException_EachMessageNamingTheFileAndTheProblem));
        var hostile = new HostileConfigDocuments(random);
        var clock = Stopwatch.StartNew();
        var (refused, named) = (0, 0);
        for (var index = 0; index < HostileDocuments; index++)
        {
            var document = hostile.Next();
            await FuzzCase.Run(nameof(HostileDocuments_AreRefusedWithAConfigException_EachMessageNamingTheFileAndTheProblem), index, document.Bytes, bytes =>
            {
                var refusal = Load(bytes, out _);
                if (document.Names is { } names)
                {
                    Assert.True(refusal is not null, $"accepted; a refusal naming one of {string.Join(", ", names.Select(name => $"'{name}'"))} was expected");
                    Assert.True(refusal.Errors.Any(error => names.Any(name => error.Contains(name, StringComparison.OrdinalIgnoreCase))), $"refused without naming any of {string.Join(", ", names.Select(name => $"'{name}'"))}: {refusal.Message}");
                    named++;
                }

                refused += refusal is null ? 0 : 1;
                return Task.CompletedTask;
            });
        }

        output.WriteLine($"{FuzzSeed.Replay}: {HostileDocuments} hostile documents, {refused} refused ({named} naming what broke them) in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task ValidDocuments_Load_AndTheEffectiveConfigWrittenOut_LoadsBackToTheSameLimits()
    {
        var random = FuzzSeed.For(nameof(ValidDocuments_Load_AndTheEffectiveConfigWrittenOut_LoadsBackToTheSameLimits));
        var valid = new ValidConfigDocuments(random);
        var clock = Stopwatch.StartNew();
        for (var index = 0; index < ValidDocuments; index++)
        {
            var document = valid.Text(valid.Next());
            await FuzzCase.Run(nameof(ValidDocuments_Load_AndTheEffectiveConfigWrittenOut_LoadsBackToTheSameLimits), index, document, bytes =>
            {
                Assert.True(Load(bytes, out var settings) is not { } refusal, $"refused: {Load(bytes, out _)?.Message}");
                var effective = ConfigJson.Write(EffectiveLimits.Resolve(settings!, RuntimeOverrides.None));
                Assert.True(Load(Encoding.UTF8.GetBytes(effective), out var again) is not { } reloaded, $"the effective config does not load back: {Load(Encoding.UTF8.GetBytes(effective), out _)?.Message}\n{effective}");
                var roundTrip = ConfigJson.Write(EffectiveLimits.Resolve(again!, RuntimeOverrides.None));
                Assert.True(
                    JsonNode.DeepEquals(JsonNode.Parse(effective), JsonNode.Parse(roundTrip)),
                    $"the effective config loads back to other limits:\nwritten  {effective}\nreloaded {roundTrip}");
                return Task.CompletedTask;
            }, bytes: false);
        }

        output.WriteLine($"{FuzzSeed.Replay}: {ValidDocuments} valid documents loaded and written back in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void HugeDocuments_LoadOrAreRefused_InSeconds()
    {
        var files = string.Join(",", Enumerable.Range(0, 2_000).Select(i => $"\"images/disk-{i}.img\": {{ \"iops-total\": {i + 1} }}"));
        var rules = string.Join(",", Enumerable.Range(0, 200).Select(i => $"{{ \"match\": \"dir-{i}/**/*.{{qcow2,raw}}\", \"iops-total\": {i + 1} }}"));
        (string Name, string Json, string? Refusal)[] cases =
        [
            ("2,000 file entries", $"{{ \"files\": {{ {files} }} }}", null), // 20,000 take far longer: KnownConfigBugs
            ("200 rules", $"{{ \"rules\": [ {rules} ] }}", null),
            ("8 MB of blanks", new string(' ', 8 << 20) + "{}", null),
            ("an 8 MB log file name", $"{{ \"logging\": {{ \"file\": \"/tmp/{new string('l', 8 << 20)}\" }} }}", null),
            ("a 1 MB setting name", $"{{ \"{new string('k', 1 << 20)}\": 1 }}", "unknown setting"),
            ("a 1 MB group name", $"{{ \"groups\": {{ \"{new string('g', 1 << 20)}\": {{}} }} }}", "not a valid group name"),
            ("10,000 nested arrays", $"{{ \"file-limits\": {new string('[', 10_000)}{new string(']', 10_000)} }}", "not valid JSON"),
        ];
        foreach (var (name, json, refusal) in cases)
        {
            var clock = Stopwatch.StartNew();
            var refused = Load(Encoding.UTF8.GetBytes(json), out _);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{name}: {clock.Elapsed.TotalSeconds:F1} s");
            Assert.True(refusal is null ? refused is null : refused?.Message.Contains(refusal, StringComparison.Ordinal) == true, $"{name}: {refused?.Message[..Math.Min(300, refused.Message.Length)] ?? "accepted"}");
            output.WriteLine($"{name}: {(refused is null ? "loaded" : "refused")} in {clock.Elapsed.TotalSeconds:F2} s");
        }
    }

    // Loads the document as the config file; null when it loads, the refusal when it is refused properly: a
    // ConfigException with at least one message, each starting with the file's path and saying something after it.
    private ConfigException? Load(byte[] document, out ThrottleFsSettings? settings)
    {
        File.WriteAllBytes(ConfigPath, document);
        try
        {
            settings = new ConfigSource(ConfigPath, []).Load();
            return null;
        }
        catch (ConfigException refusal)
        {
            settings = null;
            Assert.NotEmpty(refusal.Errors);
            Assert.All(refusal.Errors, error => Assert.True(
                error.StartsWith(ConfigPath + ": ", StringComparison.Ordinal) && error.Length > ConfigPath.Length + 2 && !string.IsNullOrWhiteSpace(error[(ConfigPath.Length + 2)..]),
                $"a message that does not name the file, or nothing after it: {error[..Math.Min(300, error.Length)]}"));
            return refusal;
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"ConfigSource.Load threw {e.GetType().Name}, not a ConfigException: {e.Message}", e);
        }
    }
}
