using System.Diagnostics;
using ThrottleFs.Platform.Linux.Tests.Mounts.Faults;
using ThrottleFs.Tests.Fuzz;
using Xunit.Abstractions;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Fuzz;

/// <summary>
/// SIGTERM to the daemon while dd writes a 40,000-line batch to the control file a byte at a time (some 650,000
/// writes). The daemon unmounts on SIGTERM; the control file is open, so the mount is detached lazily and served until
/// dd closes it (README, Mounting). Then the daemon must exit, with dd done, the mount point gone and the pid file
/// removed, within a generous deadline: nothing may hang.
/// </summary>
public sealed class ControlStopSignalTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public void SigtermDuringALongBatchWrittenAByteAtATime_StopsTheDaemon_OnceTheBatchIsClosed()
    {
        var random = FuzzSeed.For(nameof(SigtermDuringALongBatchWrittenAByteAtATime_StopsTheDaemon_OnceTheBatchIsClosed));
        using var mount = MountedFileSystem.Start();
        var batch = Path.Combine(mount.Root, "batch");
        File.WriteAllBytes(batch, new ControlBatches(random).ShortCommands(40_000));
        using var daemon = FaultProbe.Daemon(mount.Point);
        var clock = Stopwatch.StartNew();
        using var dd = Process.Start(new ProcessStartInfo("dd", [$"if={batch}", $"of={mount.Control("control")}", "bs=1", "status=none"]) { RedirectStandardError = true })!;
        var ddErrors = dd.StandardError.ReadToEndAsync();
        try
        {
            // Under way: the first lines are applied.
            Assert.True(FaultProbe.WaitUntil(() => File.ReadAllText(mount.Control("control")).Contains("\"iops-total\"", StringComparison.Ordinal) || dd.HasExited, TimeSpan.FromSeconds(30)), "dd applied nothing");
            Assert.False(dd.HasExited, "dd finished before the signal: the batch is too short to be interrupted");
            var signalled = clock.Elapsed;
            Assert.Equal(0, Tool.Run("kill", "-TERM", daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ExitCode);

            Assert.True(daemon.WaitForExit(Deadline), $"the daemon still runs {Deadline.TotalSeconds} s after SIGTERM (dd {(dd.HasExited ? "exited" : "still writes")})");
            var stopped = clock.Elapsed;
            Assert.True(dd.WaitForExit(TimeSpan.FromSeconds(10)), "dd still runs after the daemon exited");
            Assert.True(dd.ExitCode == 0, $"dd failed ({ddErrors.Result.Trim()}): the detached mount should serve the open control file to its end");
            Assert.False(Tool.IsMounted(mount.Point), $"{mount.Point} is still mounted");
            Assert.False(File.Exists(FaultProbe.PidFile(mount.Point)), "the daemon left its pid file");
            output.WriteLine($"{FuzzSeed.Replay}: SIGTERM at {signalled.TotalSeconds:F1} s; dd done and the daemon exited at {stopped.TotalSeconds:F1} s");
        }
        finally
        {
            if (!dd.HasExited)
            {
                dd.Kill();
            }
        }
    }
}
