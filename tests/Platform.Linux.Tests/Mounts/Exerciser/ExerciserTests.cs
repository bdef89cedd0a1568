using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;
using static ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser.ExerciserSettings;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>
/// 200,000 random operations on one file through a throttled mount whose limits change every half second, buffered
/// and with O_DIRECT, each checked against a model (see <see cref="FileExerciser"/>). The seed is printed; set
/// <c>THROTTLEFS_EXERCISER_SEED</c> to run the same operations again.
/// </summary>
public sealed class ExerciserTests(ITestOutputHelper output)
{
    private const long Operations = 200_000;

    [Fact]
    public void Buffered_RandomOperations_MatchTheModel() => Exercise(ExerciserMode.Buffered, nameof(Buffered_RandomOperations_MatchTheModel));

    [Fact]
    public void Direct_RandomOperations_MatchTheModel() => Exercise(ExerciserMode.Direct, nameof(Direct_RandomOperations_MatchTheModel));

    private void Exercise(ExerciserMode mode, string test)
    {
        var settings = FromEnvironment(mode, Operations, $"{nameof(ExerciserTests)}.{test}");
        output.WriteLine($"{settings.ModeName}, seed {settings.Seed} ({(settings.SeedGiven ? $"from {SeedVariable}" : "random")}), {settings.Operations} operations");
        output.WriteLine($"reproduce with: {settings.Reproduce}");

        using var mount = MountedFileSystem.Start(
            FileExerciser.Prepare, "--limit", "iops-total=10000,bps-total=1G", "--mount-limit", "iops-total=40000,bps-total=2G");
        var (dropped, probe) = AllocateModeProbe.Run(mount, settings.OpenFlags);
        output.WriteLine(probe);

        var clock = Stopwatch.StartNew();
        OperationLog log;
        int changes;
        IReadOnlyList<string> refused;
        using (var watchdog = new StallWatchdog(mount))
        using (var limits = new LimitChanger(mount, settings.Seed, FileName, OtherFileName))
        {
            using (var exerciser = new FileExerciser(settings, mount, dropped, limits, watchdog))
            {
                log = exerciser.Run();
            }

            refused = limits.Refused;
            changes = limits.Applied;
        }

        var elapsed = clock.Elapsed;
        var throttle = ThrottleSummary(mount);
        output.WriteLine($"{settings.Operations} operations in {elapsed.TotalSeconds:F1} s ({settings.Operations / elapsed.TotalSeconds:F0}/s), {changes} limit changes");
        output.WriteLine($"{log.BytesRead / MiB} MiB read, {log.BytesWritten / MiB} MiB written or copied; mean size of {FileName} {log.MeanSize / KiB} KiB");
        output.WriteLine($"{log.Verifications} whole-file checks of both files, through the mount and on the backing store, in {log.VerificationTime.TotalSeconds:F1} s");
        output.WriteLine(log.Summary());
        output.WriteLine(throttle);
        Assert.True(refused.Count == 0, $"the mount refused limit changes the exerciser made:\n{string.Join('\n', refused)}");
    }

    // What the throttle did with each file's requests, from .throttlefs/stats: admitted, made to wait, longest wait.
    private static string ThrottleSummary(MountedFileSystem mount)
    {
        using var stats = JsonDocument.Parse(File.ReadAllText(mount.Control("stats")));
        var files = stats.RootElement.GetProperty("files").EnumerateArray()
            .Where(f => f.GetProperty("path").GetString() is FileName or OtherFileName)
            .Select(f =>
            {
                var (read, write) = (f.GetProperty("read"), f.GetProperty("write"));
                return $"{f.GetProperty("path").GetString()}: {read.GetProperty("ops").GetInt64()} reads and {write.GetProperty("ops").GetInt64()} writes admitted, "
                    + $"{read.GetProperty("throttled").GetInt64() + write.GetProperty("throttled").GetInt64()} waited (longest "
                    + $"{Math.Max(read.GetProperty("waitMaxMs").GetDouble(), write.GetProperty("waitMaxMs").GetDouble()):F1} ms)";
            });
        return $"throttle: {string.Join("; ", files)}";
    }
}
