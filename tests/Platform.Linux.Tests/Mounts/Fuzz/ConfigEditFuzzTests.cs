using System.Text;
using System.Text.Json.Nodes;
using ThrottleFs.Platform.Linux.Tests.Mounts.Faults;
using ThrottleFs.Tests.Fuzz;
using Xunit.Abstractions;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Fuzz;

/// <summary>
/// Bad edits of a live mount's config file, saved as editors save (in place, or written beside it and renamed over
/// it): each is refused by the watcher, the limits in force stay exactly as they were, errors gains an entry that
/// names the file and gives a reason, and the daemon keeps serving; a good edit afterwards still applies. Seeded
/// (<see cref="FuzzSeed"/>): the order of the edits, the random bytes and where a document is cut.
/// </summary>
public sealed class ConfigEditFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const string Valid = """
        {
          "file-limits": { "iops-total": 100 },
          "mount-limits": { "bps-total": "400M" },
          "groups": { "vms": { "total_iops_sec": 500 } },
          "rules": [ { "match": "images/*.qcow2", "group": "vms" } ]
        }
        """;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private readonly string _directory = Directory.CreateTempSubdirectory("throttlefs-config-edit-").FullName;

    private string ConfigPath => Path.Combine(_directory, "throttlefs.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void BadEdits_AreRefused_TheLimitsStay_AndErrorsNamesTheFileAndWhy()
    {
        var random = FuzzSeed.For(nameof(BadEdits_AreRefused_TheLimitsStay_AndErrorsNamesTheFileAndWhy));
        var valid = Encoding.UTF8.GetBytes(Valid);
        var noise = new byte[random.Next(1, 2000)];
        random.NextBytes(noise);
        (string Name, byte[] Bytes)[] edits =
        [
            ("random bytes", noise),
            ("cut short", valid[..random.Next(0, Array.LastIndexOf(valid, (byte)'}'))]),
            ("invalid UTF-8 between tokens", [.. "{ \"file-limits\": { \"iops-total\": 50 },"u8, 0xff, 0xfe, .. " }"u8]),
            ("an object for a number", """{ "file-limits": { "iops-total": { "x": 1 } } }"""u8.ToArray()),
            ("an unknown key", """{ "file-limits": { "iops-totl": 50 } }"""u8.ToArray()),
            ("a negative rate", """{ "file-limits": { "iops-total": -5 } }"""u8.ToArray()),
            ("a burst below its rate", """{ "file-limits": { "iops-total": 100, "iops-total-max": 10 } }"""u8.ToArray()),
            ("200 nested arrays", Encoding.ASCII.GetBytes($"{{ \"file-limits\": {new string('[', 200)}{new string(']', 200)} }}")),
            ("an array, not an object", "[ { \"file-limits\": { \"iops-total\": 50 } } ]"u8.ToArray()),
            ("a group the rules name removed", """{ "rules": [ { "match": "images/*.qcow2", "group": "vms" } ] }"""u8.ToArray()),
        ];

        File.WriteAllText(ConfigPath, Valid);
        using var mount = MountedFileSystem.Start("--config", ConfigPath);
        var limits = File.ReadAllText(mount.Control("control"));
        foreach (var (name, bytes) in edits.OrderBy(_ => random.Next()))
        {
            var refusals = Refusals(mount);
            Save(bytes, rename: random.Next(2) == 0);

            var what = $"{FuzzSeed.Replay}: {name}: {FuzzInput.Show(bytes)}";
            Assert.True(FaultProbe.WaitUntil(() => Refusals(mount) > refusals, Deadline), $"{what}\nnot refused within {Deadline.TotalSeconds} s; errors: {File.ReadAllText(mount.Control("errors"))}");
            var errors = File.ReadAllText(mount.Control("errors"));
            var entry = errors[errors.LastIndexOf($"config watcher: refused the edit of {ConfigPath}", StringComparison.Ordinal)..];
            Assert.True(entry.Contains($"\n  {ConfigPath}: ", StringComparison.Ordinal), $"{what}\nthe refusal gives no reason that names the file: {entry}");
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(limits), JsonNode.Parse(File.ReadAllText(mount.Control("control")))), $"{what}\nthe limits changed");
            FaultProbe.AssertAlive(mount);
            output.WriteLine($"{name}: refused: {entry.Split('\n')[1].Trim()}");
        }

        // The watcher still applies a good edit.
        Save(Encoding.UTF8.GetBytes(Valid.Replace("\"iops-total\": 100", "\"iops-total\": 77", StringComparison.Ordinal)), rename: true);
        Assert.True(FaultProbe.WaitUntil(() => File.ReadAllText(mount.Control("control")).Contains("\"iops-total\": 77", StringComparison.Ordinal), Deadline), "a good edit after the bad ones was not applied");
        FaultProbe.AssertUnmounts(mount);
    }

    [Fact]
    public void AnEditWithARulePatternThatIsNoGlob_IsRefused_AndTheDaemonServesOn()
    {
        File.WriteAllText(ConfigPath, Valid);
        using var mount = MountedFileSystem.Start("--config", ConfigPath);

        Save("""{ "rules": [ { "match": "images/[", "iops-total": 5 } ] }"""u8.ToArray(), rename: false);

        Assert.True(FaultProbe.WaitUntil(() => Refusals(mount) > 0, Deadline), "the edit was not refused");
        FaultProbe.AssertAlive(mount);
        FaultProbe.AssertUnmounts(mount);
    }

    // How many config edits errors shows refused; a dead daemon reads as an exception, so the failure says so.
    private int Refusals(MountedFileSystem mount)
    {
        var errors = File.ReadAllText(mount.Control("errors"));
        var count = 0;
        for (var at = errors.IndexOf("config watcher: refused", StringComparison.Ordinal); at >= 0; at = errors.IndexOf("config watcher: refused", at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    // As an editor saves: in place, or a new file renamed over the old one.
    private void Save(byte[] bytes, bool rename)
    {
        if (!rename)
        {
            File.WriteAllBytes(ConfigPath, bytes);
            return;
        }

        File.WriteAllBytes(ConfigPath + ".swp", bytes);
        File.Move(ConfigPath + ".swp", ConfigPath, overwrite: true);
    }
}
