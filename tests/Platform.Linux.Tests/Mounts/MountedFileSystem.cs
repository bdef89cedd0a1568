namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// A real ThrottleFs mount made with the throttlefs command, over a fresh backing directory, and always taken down
/// again: Dispose unmounts (lazily, if the command fails) even when the test failed.
/// </summary>
internal sealed class MountedFileSystem : IDisposable
{
    private readonly string _root;

    private MountedFileSystem(string root, string backing, string point)
    {
        _root = root;
        Backing = backing;
        Point = point;
    }

    /// <summary>The source directory (or file) behind the mount.</summary>
    public string Backing { get; }

    /// <summary>The mount point.</summary>
    public string Point { get; }

    /// <summary>Mounts a new empty directory with the given extra arguments (e.g. "--limit", "iops-total=100").</summary>
    public static MountedFileSystem Start(params string[] arguments) => Start(prepare: null, arguments);

    /// <summary>Mounts a new directory, first letting <paramref name="prepare"/> fill it.</summary>
    public static MountedFileSystem Start(Action<string>? prepare, params string[] arguments) => Start(prepare, openFileLimit: null, arguments);

    /// <summary>
    /// Mounts a new directory, first letting <paramref name="prepare"/> fill it, with the daemon's open-file limit
    /// (RLIMIT_NOFILE, soft and hard) set to <paramref name="openFileLimit"/>: the mount command runs under prlimit, and
    /// the daemon it starts inherits the limit.
    /// </summary>
    public static MountedFileSystem Start(Action<string>? prepare, int? openFileLimit, params string[] arguments)
    {
        var root = Directory.CreateTempSubdirectory("throttlefs-test-").FullName;
        var backing = Directory.CreateDirectory(Path.Combine(root, "backing")).FullName;
        var point = Directory.CreateDirectory(Path.Combine(root, "mnt")).FullName;
        prepare?.Invoke(backing);
        return Mount(root, backing, point, openFileLimit, arguments);
    }

    /// <summary>Mounts an existing source (file or directory) at an existing mount point.</summary>
    /// <remarks>
    /// Without a <c>--config</c> among the arguments the mount gets an empty config (no limits beyond the arguments),
    /// not the bundled default, so each test states every limit it measures.
    /// </remarks>
    public static MountedFileSystem Mount(string root, string source, string point, params string[] arguments) =>
        Mount(root, source, point, openFileLimit: null, arguments);

    /// <summary>
    /// The transport every mount of this run uses unless a test names its own: THROTTLEFS_TEST_TRANSPORT (test.sh sets
    /// it, uring or dev, and the kernel's enable_uring to match), or the daemon's default.
    /// </summary>
    public static string? Transport => Environment.GetEnvironmentVariable("THROTTLEFS_TEST_TRANSPORT") is { Length: > 0 } transport ? transport : null;

    private static MountedFileSystem Mount(string root, string source, string point, int? openFileLimit, string[] arguments)
    {
        if (!arguments.Contains("--config"))
        {
            var config = Path.Combine(Directory.CreateDirectory(root).FullName, "throttlefs.json");
            File.WriteAllText(config, "{}");
            arguments = ["--config", config, .. arguments];
        }

        if (Transport is { } transport && !arguments.Contains("--transport"))
        {
            arguments = [.. arguments, "--transport", transport];
        }

        var result = openFileLimit is { } limit
            ? Tool.Run("prlimit", [$"--nofile={limit}:{limit}", "dotnet", Path.Combine(AppContext.BaseDirectory, "throttlefs.dll"), "mount", source, point, .. arguments], TimeSpan.FromSeconds(60))
            : Tool.ThrottleFs(["mount", source, point, .. arguments]);
        if (result.ExitCode != 0 || !Tool.IsMounted(point))
        {
            Directory.Delete(root, recursive: true);
            throw new InvalidOperationException($"throttlefs mount failed: {result}");
        }

        return new MountedFileSystem(root, source, point);
    }

    /// <summary>The directory the test's files (backing, mount point, config) live in.</summary>
    public string Root => _root;

    public string OnMount(string relative) => Path.Combine(Point, relative);

    /// <summary>A file of the control directory (<c>.throttlefs/NAME</c>).</summary>
    public string Control(string name) => Path.Combine(Point, ".throttlefs", name);

    public string OnBacking(string relative) => Path.Combine(Backing, relative);

    public void Dispose()
    {
        if (Tool.IsMounted(Point))
        {
            var result = Tool.ThrottleFs("unmount", Point);
            if (result.ExitCode != 0 && Tool.IsMounted(Point))
            {
                Tool.Run("umount", "-l", Point);
            }
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a daemon still exiting may hold the directory for a moment; the temp directory is cleaned later
        }
    }
}
