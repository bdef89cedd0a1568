using System.Diagnostics;
using System.Text.Json.Nodes;
using ThrottleFs.Platform.Linux.Tests.Mounts.Faults;
using ThrottleFs.Tests.Fuzz;
using Xunit.Abstractions;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Fuzz;

/// <summary>
/// Hostile batches written to a real mount's control file with cat, dd bs=1 and one large write: the limits are
/// those of the batch's lines run one at a time (<see cref="ControlOracle"/>), a refusal fails the writer and is
/// in errors with its reason, the daemon keeps serving (its statistics read), and unmount is prompt afterwards.
/// Seeded (<see cref="FuzzSeed"/>).
/// </summary>
public sealed class ControlFuzzMountTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PromptUnmount = TimeSpan.FromSeconds(10);

    [Fact]
    public void RandomBatches_ThroughCatDdAndOneWrite_GiveTheLimitsOfTheirLinesRunOneAtATime_AndTheDaemonServesOn()
    {
        var random = FuzzSeed.For(nameof(RandomBatches_ThroughCatDdAndOneWrite_GiveTheLimitsOfTheirLinesRunOneAtATime_AndTheDaemonServesOn));
        var batches = new ControlBatches(random);
        using var mount = MountedFileSystem.Start();
        using var oracle = new ControlOracle(Path.Combine(mount.Root, "throttlefs.json"));
        var file = Path.Combine(mount.Root, "batch");
        for (var i = 0; i < 9; i++)
        {
            var writer = ControlWriters.Names[i % ControlWriters.Names.Length];
            // Random bytes; commands with garbage among them; valid commands alone (a fresh generator: its groups are made in the batch).
            var batch = (i % 3) switch
            {
                0 => batches.RandomBytes(random.Next(1, 4096)),
                1 => batches.Commands(random.Next(50, 200), garbage: 0.02),
                _ => new ControlBatches(random).Commands(random.Next(50, 200), garbage: 0),
            };
            File.WriteAllBytes(file, batch);
            var errorsBefore = File.ReadAllText(mount.Control("errors"));

            var written = ControlWriters.Write(writer, file, mount.Control("control"));
            var refusal = oracle.Run(batch);

            var what = $"{FuzzSeed.Replay}, batch {i} written with {writer}: {FuzzInput.Show(batch)}";
            Assert.True(i % 3 != 2 || refusal is null, $"{what}\na batch of valid commands was refused: {refusal}");
            Assert.True(written.Succeeded == (refusal is null), $"{what}\nthe writer {(written.Succeeded ? "succeeded" : "failed")}, the oracle {(refusal is null ? "applied every line" : "refused " + refusal)}\n{written.Output}");
            var limits = JsonNode.Parse(File.ReadAllText(mount.Control("control")));
            Assert.True(JsonNode.DeepEquals(oracle.Limits, limits), $"{what}\nexpected {oracle.Limits.ToJsonString()}\nactual   {limits!.ToJsonString()}");
            var errors = File.ReadAllText(mount.Control("errors"));
            if (refusal is not null)
            {
                var header = refusal[..refusal.IndexOf('\n', StringComparison.Ordinal)];
                Assert.True(errors.Length > errorsBefore.Length && errors.Contains(header, StringComparison.Ordinal), $"{what}\nerrors lacks '{header}': {errors}");
            }

            FaultProbe.AssertAlive(mount);
            output.WriteLine($"batch {i}: {batch.Length} bytes with {writer} in {written.Took.TotalSeconds:F2} s, {(refusal is null ? "applied" : "refused part way")}");
        }

        AssertUnmountsPromptly(mount);
    }

    [Fact]
    public void AFortyThousandLineBatch_ThroughCatAndOneWrite_IsAppliedWhole_AndUnmountIsPrompt()
    {
        var random = FuzzSeed.For(nameof(AFortyThousandLineBatch_ThroughCatAndOneWrite_IsAppliedWhole_AndUnmountIsPrompt));
        using var mount = MountedFileSystem.Start();
        using var oracle = new ControlOracle(Path.Combine(mount.Root, "throttlefs.json"));
        var file = Path.Combine(mount.Root, "batch");
        foreach (var writer in new[] { "cat", "one write" })
        {
            var batch = new ControlBatches(random).Commands(40_000, garbage: 0);
            File.WriteAllBytes(file, batch);

            var written = ControlWriters.Write(writer, file, mount.Control("control"));

            Assert.True(written.Succeeded, $"{FuzzSeed.Replay}: {writer}: {written.Output}");
            Assert.Null(oracle.Run(batch));
            var limits = JsonNode.Parse(File.ReadAllText(mount.Control("control")));
            Assert.True(JsonNode.DeepEquals(oracle.Limits, limits), $"{FuzzSeed.Replay}: {writer}: the limits differ from the batch's lines run one at a time");
            Assert.Equal("", File.ReadAllText(mount.Control("errors")));
            FaultProbe.AssertAlive(mount);
            output.WriteLine($"40,000 lines ({batch.Length} bytes) with {writer} in {written.Took.TotalSeconds:F2} s");
        }

        AssertUnmountsPromptly(mount);
    }

    private void AssertUnmountsPromptly(MountedFileSystem mount)
    {
        var clock = Stopwatch.StartNew();
        FaultProbe.AssertUnmounts(mount);
        Assert.True(clock.Elapsed < PromptUnmount, $"throttlefs unmount took {clock.Elapsed.TotalSeconds:F1} s");
        output.WriteLine($"{FuzzSeed.Replay}: unmounted in {clock.Elapsed.TotalSeconds:F2} s");
    }
}
