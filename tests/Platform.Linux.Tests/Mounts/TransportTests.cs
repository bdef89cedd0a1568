using System.Globalization;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// The io_uring transport as a user meets it: it carries the requests when the kernel offers it, a mount that asks
/// for it on a kernel that does not falls back to /dev/fuse with one line saying why, and requests that wait for their
/// throttle — more of them than a queue has entries — neither hold a thread nor stop the control file. The rest of
/// the mount suite runs over whichever transport test.sh chose (THROTTLEFS_TEST_TRANSPORT), and CI runs it over both.
/// Over /dev/fuse, readers poll for requests that come back to back, and large reads through the page cache are spliced
/// to the device. These tests set the kernel's
/// enable_uring and fs.pipe-max-size themselves and put them back.
/// </summary>
public sealed class TransportTests
{
    private const string Switch = "/sys/module/fuse/parameters/enable_uring";

    // Buffered reads of 32 KiB and more go from the backing file's page cache to /dev/fuse through a pipe
    // (FuseReadTarget): every size and offset, the file's end, and what another handle just wrote must read as the file.
    [Fact]
    public void DevFuse_SplicesLargeBufferedReads_WhichReadTheFilesBytes()
    {
        const int size = (5 << 20) + 777;
        var expected = new byte[size];
        new Random(23).NextBytes(expected);
        var log = MountLogged(
            mount =>
            {
                using var reader = new FileStream(mount.OnMount("data.bin"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
                using var writer = new FileStream(mount.OnMount("data.bin"), FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
                var random = new Random(24);
                int[] lengths = [4 << 10, (32 << 10) - 1, 32 << 10, 100_000, 128 << 10, 512 << 10, (1 << 20) - 4096, 1 << 20, 3 << 20];
                var buffer = new byte[3 << 20];
                for (var i = 0; i < 300; i++)
                {
                    var length = lengths[random.Next(lengths.Length)];
                    long offset = random.Next(4) switch
                    {
                        0 => random.Next(size / 4096) * 4096L, // page-aligned
                        1 => size - random.Next(1, length + 1), // across the end
                        _ => random.Next(size),
                    };

                    if (i % 10 == 0)
                    {
                        // Another handle changes what the next read may cover: it must see the new bytes, not pages spliced before.
                        var at = (int)Math.Min(offset, size - 4096);
                        random.NextBytes(expected.AsSpan(at, 4096));
                        writer.Position = at;
                        writer.Write(expected, at, 4096);
                    }

                    reader.Position = offset;
                    var wanted = (int)Math.Min(length, size - offset);
                    var read = 0;
                    while (read < wanted && reader.Read(buffer, read, wanted - read) is var n and > 0)
                    {
                        read += n;
                    }

                    Assert.Equal(wanted, read);
                    Assert.True(buffer.AsSpan(0, read).SequenceEqual(expected.AsSpan((int)offset, read)), $"{length} bytes at {offset} differ");
                }

                // The runtime's own pipes keep the default 64 KiB; a splice pipe holds a reply of up to 1 MiB.
                Assert.True(DaemonPipeSizes(mount.Point).Any(pipe => pipe >= 1 << 20), "no splice pipe: the reads were copied, not spliced");
            },
            transport: "dev",
            prepare: backing => File.WriteAllBytes(Path.Combine(backing, "data.bin"), expected));

        Assert.Contains("[INF] Large reads through the page cache are spliced to /dev/fuse", log);
    }

    [Fact]
    public void Uring_CarriesTheRequests_WhenTheKernelOffersIt()
    {
        if (!KernelHasUring())
        {
            return; // before Linux 6.14 there is nothing to test; test.sh then runs the suite over /dev/fuse
        }

        using var enabled = new KernelSetting(Switch, "Y");
        var log = MountLogged(mount =>
        {
            var data = new byte[3 << 20];
            new Random(14).NextBytes(data);
            File.WriteAllBytes(mount.OnMount("data.bin"), data);
            Assert.True(File.ReadAllBytes(mount.OnMount("data.bin")).AsSpan().SequenceEqual(data));
            Assert.True(File.ReadAllBytes(mount.OnBacking("data.bin")).AsSpan().SequenceEqual(data));

            // One queue per possible CPU, each served by two rings with a thread each.
            var threads = DaemonThreads(mount.Point);
            Assert.Equal(2 * PossibleCpus(), threads.Count(name => name.StartsWith("fuse-uring-", StringComparison.Ordinal)));
        });

        Assert.Matches(@"\[INF\] Requests travel through io_uring: \d+ queues \(one per CPU\) of 64 entries, each served by 2 rings and threads", log);
    }

    [Fact]
    public void Uring_FallsBackToDevFuse_WithOneLineSayingWhy_WhenTheKernelDoesNotOfferIt()
    {
        if (!KernelHasUring())
        {
            return; // before Linux 6.14 there is nothing to test; test.sh then runs the suite over /dev/fuse
        }

        using var disabled = new KernelSetting(Switch, "N");
        var log = MountLogged(mount =>
        {
            File.WriteAllText(mount.OnMount("a.txt"), "through /dev/fuse");
            Assert.Equal("through /dev/fuse", File.ReadAllText(mount.OnMount("a.txt")));
            Assert.DoesNotContain(DaemonThreads(mount.Point), name => name.StartsWith("fuse-uring-", StringComparison.Ordinal));
        });

        var line = Assert.Single(log.Split('\n'), line => line.Contains("Requests travel through", StringComparison.Ordinal));
        Assert.Contains("[WRN] Requests travel through /dev/fuse, not io_uring: the kernel does not offer FUSE over io_uring while " +
                        $"{Switch} is N (as root: echo Y > {Switch}, then mount again)", line);
    }

    [Fact]
    public void Uring_ManyMoreWaitingRequestsThanEntries_KeepTheirRate_AndTheControlFileStillAnswers()
    {
        if (!KernelHasUring())
        {
            return; // before Linux 6.14 there is nothing to test; test.sh then runs the suite over /dev/fuse
        }

        using var enabled = new KernelSetting(Switch, "Y");
        using var mount = MountWithZeros("uring", "--limit", "iops-total=400");

        // 4 jobs at queue depth 64 keep up to 256 reads waiting for their throttle: more than one CPU's 64 entries.
        var run = Task.Run(() => Fio.Run(
            "--name=r", $"--filename={mount.OnMount("t.bin")}", "--rw=randread", "--bs=4k", "--direct=1", "--ioengine=libaio",
            "--iodepth=64", "--numjobs=4", "--time_based", "--runtime=6", "--group_reporting"));
        Thread.Sleep(2000);

        // The limit changes while the queues are full of waiting requests: the control line still gets through.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(0, Tool.ThrottleFs("set", mount.Point, "file", "t.bin", "iops-total=400").ExitCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the control line took {watch.Elapsed}");

        var outcome = run.Result;
        Assert.True(outcome.Errors == 0, outcome.Raw);

        // 400 IOPS for 6 s, within 10 % (fio's own start and the requests in flight at its end blur the edges).
        Assert.InRange(outcome.ReadIos, 2160, 2640 + 256);
    }

    [Fact]
    public void Uring_PollsForRequestsWhileTheyComeBackToBack_AndSleepsWhenIdle()
    {
        if (!KernelHasUring())
        {
            return; // before Linux 6.14 there is nothing to test; test.sh then runs the suite over /dev/fuse
        }

        using var enabled = new KernelSetting(Switch, "Y");
        using var mount = MountWithZeros("uring");

        // Queue depth 1, back to back: the gaps between requests are short, so the rings poll through them.
        var busy = Fio.Run(
            "--name=r", $"--filename={mount.OnMount("t.bin")}", "--rw=randread", "--bs=4k", "--direct=1", "--ioengine=psync",
            "--time_based", "--runtime=2");
        Assert.True(busy.Errors == 0 && busy.ReadIos > 0, busy.Raw);

        // Then nothing comes: each ring polls out its window once and sleeps. One polling on would burn the whole 2 s.
        var before = DaemonCpu(mount.Point);
        Thread.Sleep(2000);
        var idle = DaemonCpu(mount.Point) - before;
        Assert.True(idle < TimeSpan.FromMilliseconds(200), $"the idle daemon used {idle.TotalMilliseconds} ms of CPU in 2 s");
    }

    // Over /dev/fuse the readers poll for the next request while requests come back to back, each through its own
    // non-blocking clone of the device, whose requests must be answered through it. Every read of an empty clone is one
    // read(2) more: without polling a reader makes two per request (the device's, the backing file's pread).
    [Fact]
    public void DevFuse_PollsForRequestsWhileTheyComeBackToBack_ThroughClonesOfTheDevice_AndSleepsWhenIdle()
    {
        using var mount = MountWithZeros("dev");
        var pid = DaemonPid(mount.Point);
        var devices = Directory.GetFiles($"/proc/{pid}/fd").Where(fd => new FileInfo(fd).LinkTarget == "/dev/fuse").ToList();
        var clones = devices.Count(fd => (Convert.ToInt32(FdInfo(pid, Path.GetFileName(fd), "flags"), 8) & 0x800) != 0); // O_NONBLOCK
        Assert.True(devices.Count >= 2 && clones == devices.Count - 1, $"{devices.Count} /dev/fuse descriptors, {clones} of them non-blocking");

        // Queue depth 1: each write is verified by reading it back, so every reply, through whichever clone, reached its caller.
        const int requests = 5000;
        var before = ReaderReads(pid);
        var run = Fio.Run(
            "--name=q", $"--filename={mount.OnMount("t.bin")}", "--rw=randwrite", "--bs=4k", "--direct=1", "--ioengine=psync",
            "--size=16M", $"--number_ios={requests / 2}", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1");
        var reads = ReaderReads(pid) - before;
        Assert.True(run.Errors == 0 && run.WriteIos > 0, run.Raw);
        Assert.True(reads > 3 * (run.ReadIos + run.WriteIos), $"the readers made {reads} reads for {run.ReadIos + run.WriteIos} requests: they did not poll");

        // Then nothing comes: the poller polls out its window once and sleeps. One polling on would burn the whole 2 s.
        var idleFrom = DaemonCpu(mount.Point);
        Thread.Sleep(2000);
        var idle = DaemonCpu(mount.Point) - idleFrom;
        Assert.True(idle < TimeSpan.FromMilliseconds(200), $"the idle daemon used {idle.TotalMilliseconds} ms of CPU in 2 s");
    }

    // read(2) calls made so far by the daemon's /dev/fuse readers, failed ones included (/proc/PID/task/TID/io, syscr).
    private static long ReaderReads(string pid) =>
        Directory.GetDirectories($"/proc/{pid}/task")
            .Where(task => File.ReadAllText(Path.Combine(task, "comm")).StartsWith("fuse-reader", StringComparison.Ordinal))
            .Sum(task => long.Parse(File.ReadLines(Path.Combine(task, "io")).First(line => line.StartsWith("syscr:", StringComparison.Ordinal))[6..].Trim(), CultureInfo.InvariantCulture));

    private static string FdInfo(string pid, string fd, string field) =>
        File.ReadLines($"/proc/{pid}/fdinfo/{fd}").First(line => line.StartsWith(field + ":", StringComparison.Ordinal))[(field.Length + 1)..].Trim();

    // From 6.14 on the switch must be there: a kernel built without FUSE over io_uring is not one these tests run on.
    private static bool KernelHasUring()
    {
        var version = Environment.OSVersion.Version;
        var modern = version.Major > 6 || (version.Major == 6 && version.Minor >= 14);
        Assert.True(!modern || File.Exists(Switch), $"Linux {version} should have {Switch}");
        return modern;
    }

    // A 1 MiB reply needs 258 of a pipe's page-sized slots, a pipe of 2 MiB, which only CAP_SYS_RESOURCE (root here lacks
    // it) or fs.pipe-max-size allows: with the sysctl raised, whole MiB replies are spliced too, and read the file's bytes.
    [Fact]
    public void DevFuse_SplicesWholeMiBReplies_WhenPipesOfTwoMiBAreAllowed()
    {
        using var pipeMaxSize = new KernelSetting("/proc/sys/fs/pipe-max-size", (2 << 20).ToString(CultureInfo.InvariantCulture));
        const int size = (8 << 20) + 123;
        var expected = new byte[size];
        new Random(25).NextBytes(expected);
        var log = MountLogged(
            mount =>
            {
                using var reader = new FileStream(mount.OnMount("data.bin"), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
                var buffer = new byte[1 << 20];
                long[] offsets = [0, 1 << 20, 4096 * 7, 12_345, size - (1 << 20), size - 1000];
                foreach (var offset in offsets)
                {
                    reader.Position = offset;
                    var wanted = (int)Math.Min(1 << 20, size - offset);
                    Assert.Equal(wanted, reader.Read(buffer, 0, buffer.Length)); // one request of 1 MiB (or to the end)
                    Assert.True(buffer.AsSpan(0, wanted).SequenceEqual(expected.AsSpan((int)offset, wanted)), $"1 MiB at {offset} differs");
                }

                Assert.Contains(2 << 20, DaemonPipeSizes(mount.Point));
            },
            transport: "dev",
            prepare: backing => File.WriteAllBytes(Path.Combine(backing, "data.bin"), expected));

        var line = Assert.Single(log.Split('\n'), line => line.Contains("Large reads through the page cache", StringComparison.Ordinal));
        Assert.EndsWith("[INF] Large reads through the page cache are spliced to /dev/fuse", line.TrimEnd());
    }

    private static string DaemonPid(string mountPoint) => File.ReadAllText(Linux.Hosting.RunFiles.Pid(mountPoint)).Trim();

    // The sizes of the pipes the daemon holds, read through /proc/PID/fd (opening a pipe's link opens that pipe).
    private static unsafe List<int> DaemonPipeSizes(string mountPoint)
    {
        const int F_GETPIPE_SZ = 1032;
        var pid = DaemonPid(mountPoint);
        var sizes = new List<int>();
        foreach (var fd in new DirectoryInfo($"/proc/{pid}/fd").GetFileSystemInfos())
        {
            if (fd.LinkTarget?.StartsWith("pipe:", StringComparison.Ordinal) != true)
            {
                continue;
            }

            var name = System.Text.Encoding.UTF8.GetBytes(fd.FullName + "\0");
            fixed (byte* p = name)
            {
                var opened = Interop.Sys.Open(p, Interop.Sys.O_RDONLY | Interop.Sys.O_NONBLOCK | Interop.Sys.O_CLOEXEC, 0);
                if (opened >= 0)
                {
                    sizes.Add(Interop.Sys.Fcntl(opened, F_GETPIPE_SZ, 0));
                    Interop.Sys.Close(opened);
                }
            }
        }

        return sizes;
    }

    private static List<string> DaemonThreads(string mountPoint)
    {
        var pid = DaemonPid(mountPoint);
        return [.. Directory.GetDirectories($"/proc/{pid}/task").Select(task => File.ReadAllText(Path.Combine(task, "comm")).Trim())];
    }

    // A mount over the transport whose backing directory holds t.bin, 16 MiB of zeros.
    private static MountedFileSystem MountWithZeros(string transport, params string[] options) => MountedFileSystem.Start(
        backing =>
        {
            using var file = File.Create(Path.Combine(backing, "t.bin"));
            file.SetLength(16 << 20);
        },
        ["--transport", transport, .. options]);

    // User and system time of the daemon so far (/proc/PID/stat counts it in USER_HZ, 100 a second on Linux).
    private static TimeSpan DaemonCpu(string mountPoint)
    {
        var pid = DaemonPid(mountPoint);
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // after "pid (comm) ": field 3 (state) is fields[0]
        return TimeSpan.FromMilliseconds((long.Parse(fields[11]) + long.Parse(fields[12])) * 10);
    }

    // Mounts with the transport (uring unless said) and a log file, the backing directory first filled by prepare, runs
    // use on the mount, unmounts, and returns what the daemon logged.
    private static string MountLogged(Action<MountedFileSystem> use, string transport = "uring", Action<string>? prepare = null)
    {
        var logs = Directory.CreateTempSubdirectory("throttlefs-logs-").FullName;
        try
        {
            using (var mount = MountedFileSystem.Start(prepare, "--transport", transport, "--set", $"logging:file={logs}/throttlefs.log"))
            {
                use(mount);
            }

            return string.Concat(Directory.GetFiles(logs, "throttlefs*.log").Order().Select(File.ReadAllText)); // rolled daily: dated names
        }
        finally
        {
            Directory.Delete(logs, recursive: true);
        }
    }

    private static int PossibleCpus() =>
        File.ReadAllText("/sys/devices/system/cpu/possible").Trim().Split(',').Max(range => int.Parse(range.Split('-')[^1])) + 1;

    /// <summary>Sets a kernel parameter (enable_uring, a sysctl) for the test's life, and puts back what it was.</summary>
    private sealed class KernelSetting : IDisposable
    {
        private readonly string _path;
        private readonly string _saved;

        public KernelSetting(string path, string value)
        {
            _path = path;
            _saved = File.ReadAllText(path).Trim();
            File.WriteAllText(path, value);
        }

        public void Dispose() => File.WriteAllText(_path, _saved);
    }
}
