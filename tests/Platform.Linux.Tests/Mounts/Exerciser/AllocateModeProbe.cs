using ThrottleFs.FileSystem;
using static ThrottleFs.Platform.Linux.Tests.Mounts.Libc;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>
/// Which fallocate modes the run can use. Each mode is tried on a scratch file on the backing store and on one
/// through the mount (opened as the run opens its files); a mode the backing store refuses with EOPNOTSUPP must be
/// refused the same way by the mount, and is left out of the run; a mode it accepts must be accepted by the mount.
/// </summary>
internal static unsafe class AllocateModeProbe
{
    private static readonly OperationKind[] Kinds =
        [OperationKind.Allocate, OperationKind.AllocateKeepSize, OperationKind.PunchHole, OperationKind.ZeroRange, OperationKind.ZeroRangeKeepSize];

    /// <summary>The kinds to leave out, with a line for the report on what was probed.</summary>
    public static (IReadOnlySet<OperationKind> Dropped, string Report) Run(MountedFileSystem mount, int flags)
    {
        var dropped = new HashSet<OperationKind>();
        var report = new List<string>();
        foreach (var kind in Kinds)
        {
            var native = Try(mount.OnBacking($"probe-native-{kind}"), flags, kind);
            var mounted = Try(mount.OnMount($"probe-mount-{kind}"), flags, kind);
            Assert.True(
                native.Matches(mounted),
                $"fallocate mode {kind} (0x{Operation.AllocateMode(kind):x}): the backing store returns {native}, the mount {mounted}");
            if (native.Errno == (int)Errno.EOPNOTSUPP)
            {
                dropped.Add(kind);
                report.Add($"{kind} refused with EOPNOTSUPP by the backing store and the mount alike: left out");
            }
        }

        return (dropped, report.Count == 0 ? "every fallocate mode is supported" : string.Join("; ", report));
    }

    private static Outcome Try(string path, int flags, OperationKind kind)
    {
        var fd = Open(path, flags | O_CREAT, 0x1A4); // 0644
        Assert.True(fd >= 0, $"open {path}: {Outcome.ErrnoName(LastErrno)}");
        try
        {
            Assert.True(FTruncate(fd, 4 * ExerciserSettings.Alignment) == 0, $"ftruncate {path}: {Outcome.ErrnoName(LastErrno)}");
            var result = FAllocate(fd, Operation.AllocateMode(kind), ExerciserSettings.Alignment, 2 * ExerciserSettings.Alignment);
            return result < 0 ? Outcome.Failed(LastErrno) : Outcome.Done(result);
        }
        finally
        {
            Close(fd);
            File.Delete(path);
        }
    }
}
