using ThrottleFs.Configuration;
using ThrottleFs.Qos;
using ThrottleFs.Throttling;
using Xunit.Abstractions;

namespace ThrottleFs.Tests.Throttling;

/// <summary>
/// What an open throttled file costs the daemon: its throttle state (own buckets, place in the chain, end-to-end
/// meter) under the bundled default limits, after its reads and writes have waited, stays under 2 KiB, so tens of
/// thousands of open images cost tens of megabytes. Measured on the managed heap over a few thousand files, with no
/// other test running (the heap is the whole process's).
/// </summary>
[Collection(nameof(HeapMeasurements))]
public sealed class OpenFileMemoryTests(ITestOutputHelper output)
{
    private const string BundledFileLimits =
        "iops-total=3000,iops-total-max=6000,iops-total-max-length=30,bps-total=125M,bps-total-max=250M,bps-total-max-length=30";

    [Fact]
    public void AnOpenThrottledFile_WhoseReadsAndWritesWaited_CostsUnder2KiB()
    {
        var clock = new VirtualClock();
        using var policy = new ThrottlePolicy(new ThrottleFsSettings { FileLimits = ThrottleSpec.Parse(BundledFileLimits) }, clock);
        const int files = 2000;

        // The virtual clock keeps its timers in a priority queue whose array only grows; grown first, it is not
        // counted as the files' (the daemon's timers are the system's).
        for (var i = 0; i < 4 * files; i++)
        {
            clock.CreateTimer(_ => { }, null, TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
        }

        clock.Advance(TimeSpan.FromMilliseconds(1));

        var perFile = BytesPerObject(files, i =>
        {
            var file = policy.Open($"images/vm-{i:D5}.qcow2");
            foreach (var direction in (ThrottleDirection[])[ThrottleDirection.Read, ThrottleDirection.Write])
            {
                // 1 MiB requests spend the 250 MiB-per-second burst bucket (25 MiB) in 26: the 27th waits.
                PendingAdmission pending;
                while (file.TryAdmitNow(direction, 1 << 20, default, out pending))
                {
                }

                var waited = pending.WaitAsync().AsTask();
                clock.Advance(TimeSpan.FromSeconds(1));
                Assert.Equal(ThrottleFs.FileSystem.Errno.Success, waited.GetAwaiter().GetResult());
            }

            Assert.Equal(1, policy.GetStatistics(file.Path)!.Read.Throttled);
            return file;
        });

        // The daemon's timers are the system's, a little larger than the virtual clock's (measured over 20,000, as a few
        // bytes of noise per object would decide the test); a file that waited in both
        // directions has one of each.
        var systemTimer = BytesPerObject(20_000, _ => TimeProvider.System.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        var virtualTimer = BytesPerObject(20_000, _ => clock.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        var inTheDaemon = perFile + (2 * (systemTimer - virtualTimer));
        output.WriteLine($"an open throttled file: {inTheDaemon:F0} bytes ({perFile:F0} on the virtual clock; timers {systemTimer:F0} and {virtualTimer:F0})");

        Assert.True(inTheDaemon < 2048, $"an open throttled file costs {inTheDaemon:F0} bytes ({perFile:F0} on the virtual clock)");
    }

    private static double BytesPerObject(int count, Func<int, object> make)
    {
        var kept = new object[count];
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < count; i++)
        {
            kept[i] = make(i);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(kept);
        return (after - before) / (double)count;
    }
}

/// <summary>Tests that measure the managed heap run alone: any test running beside them allocates on the same heap.</summary>
[CollectionDefinition(nameof(HeapMeasurements), DisableParallelization = true)]
public sealed class HeapMeasurements;
