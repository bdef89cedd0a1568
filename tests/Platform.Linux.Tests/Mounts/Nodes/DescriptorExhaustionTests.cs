using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Tests.Mounts.Faults;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Nodes;

/// <summary>
/// The daemon runs short of descriptors: its open-file limit is 1,024, and files opened through the mount hold two
/// each (the file's and its node's). Opens are refused with EMFILE well before the limit, so what needs no descriptor
/// for long (stat, lookup, readdir of a directory already open) keeps working, for more files than the limit itself;
/// closing files makes opens work again.
/// </summary>
public sealed class DescriptorExhaustionTests
{
    private const int Limit = 1024;
    private const int HeldFiles = 1000;   // more than the limit allows open at once
    private const int OtherFiles = 3000;  // more than the limit: each stat-ed and listed while opens fail

    [Fact]
    public void WhenOpensRunOut_TheyFailWithEMFILE_WhileStatLookupAndReaddirKeepWorking_AndOpensRecover()
    {
        using var mount = MountedFileSystem.Start(
            backing =>
            {
                CreateFiles(Directory.CreateDirectory(Path.Combine(backing, "held")).FullName, HeldFiles);
                CreateFiles(Directory.CreateDirectory(Path.Combine(backing, "other")).FullName, OtherFiles);
            },
            Limit);
        var listing = Libc.OpenDir(mount.OnMount("other")); // open before the descriptors run out
        Assert.True(listing != 0, $"opendir: {(Errno)Libc.LastErrno}");
        var open = new List<int>();
        try
        {
            // Open files until the daemon refuses: with EMFILE, and not before a few hundred are open.
            var refusal = Errno.Success;
            for (var i = 0; i < HeldFiles && refusal == Errno.Success; i++)
            {
                var fd = Libc.Open(mount.OnMount($"held/h{i:D4}"), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
                if (fd >= 0)
                {
                    open.Add(fd);
                }
                else
                {
                    refusal = (Errno)Libc.LastErrno;
                }
            }

            Assert.Equal(Errno.EMFILE, refusal);
            Assert.InRange(open.Count, 200, Limit / 2);

            // Out of descriptors for opens, the daemon still looks up and stats every other file, and lists them
            // through the directory opened before (READDIRPLUS looks each entry up too).
            var failures = Enumerable.Range(0, OtherFiles)
                .Select(i => FaultProbe.StatError(mount.OnMount($"other/o{i:D4}")))
                .Where(error => error != Errno.Success)
                .ToList();
            Assert.True(failures.Count == 0, $"{failures.Count} stats failed: {string.Join(", ", failures.Distinct())}");
            Assert.Equal(OtherFiles, FaultProbe.ReadNames(listing).Count);
            Assert.Equal(Errno.Success, FaultProbe.StatError(mount.OnMount("held/h0999")));

            // Every kind of open is refused the same way, cleanly, again and again.
            Assert.Equal(Errno.EMFILE, FaultProbe.OpenError(mount.OnMount("other/o0000"), Libc.O_RDONLY));
            Assert.Equal(Errno.EMFILE, FaultProbe.OpenError(mount.OnMount("other/new.txt"), Libc.O_WRONLY | Libc.O_CREAT));
            Assert.Equal(Errno.EMFILE, FaultProbe.OpenError(mount.OnMount("other"), Libc.O_RDONLY | Libc.O_DIRECTORY));
            Assert.False(File.Exists(mount.OnBacking("other/new.txt")));
        }
        finally
        {
            Libc.CloseDir(listing);
            foreach (var fd in open)
            {
                Libc.Close(fd);
            }
        }

        // Closed, the descriptors come back (once the kernel's RELEASEs, sent in the background, have reached the
        // daemon): the opens refused before work, and as many files open at once as before.
        Assert.True(
            FaultProbe.WaitUntil(() => FaultProbe.OpenError(mount.OnMount("other/o0000"), Libc.O_RDONLY) == Errno.Success, FaultProbe.CacheDeadline),
            $"opens still fail after every file was closed: {FaultProbe.OpenError(mount.OnMount("other/o0000"), Libc.O_RDONLY)}");
        Assert.Equal(Errno.Success, FaultProbe.OpenError(mount.OnMount("other/new.txt"), Libc.O_WRONLY | Libc.O_CREAT));
        Assert.Equal(OtherFiles + 1, FaultProbe.List(mount.OnMount("other")).Count);
        var reopened = new List<int>();
        try
        {
            for (var i = 0; i < open.Count; i++)
            {
                var path = mount.OnMount($"held/h{i:D4}");
                var fd = -1;
                Assert.True(
                    FaultProbe.WaitUntil(() => (fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0)) >= 0, FaultProbe.CacheDeadline),
                    $"reopening held/h{i:D4} of {open.Count}: {(Errno)Libc.LastErrno}");
                reopened.Add(fd);
            }
        }
        finally
        {
            reopened.ForEach(fd => Libc.Close(fd));
        }

        FaultProbe.AssertAlive(mount);
        FaultProbe.AssertUnmounts(mount);
    }

    private static void CreateFiles(string directory, int count)
    {
        var prefix = Path.GetFileName(directory)[0];
        for (var i = 0; i < count; i++)
        {
            File.WriteAllText(Path.Combine(directory, $"{prefix}{i:D4}"), "x");
        }
    }
}
