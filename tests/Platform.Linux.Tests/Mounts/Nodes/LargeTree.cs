namespace ThrottleFs.Platform.Linux.Tests.Mounts.Nodes;

/// <summary>
/// A backing tree too large for a descriptor per file (the daemon's limit is 20,000 here): <c>wide/</c> with 30,000
/// empty files, and <c>deep/d0</c> to <c>deep/d3</c> with 25,000 each. Made once for the tests that share it, on the
/// backing store directly with open(2) and close(2) (a few seconds, where going through a mount would take minutes),
/// and deleted after them. Each test mounts it afresh, so the kernel has looked up none of it.
/// </summary>
public sealed class LargeTree : IDisposable
{
    public const int WideFiles = 30_000;
    public const int DeepDirectories = 4;
    public const int FilesPerDeepDirectory = 25_000;

    public LargeTree()
    {
        Source = Directory.CreateTempSubdirectory("throttlefs-tree-").FullName;
        Fill(Directory.CreateDirectory(Path.Combine(Source, "wide")).FullName, WideFiles);
        for (var d = 0; d < DeepDirectories; d++)
        {
            Fill(Directory.CreateDirectory(Path.Combine(Source, "deep", $"d{d}")).FullName, FilesPerDeepDirectory);
        }
    }

    /// <summary>The tree's root, to mount.</summary>
    public string Source { get; }

    public static int DeepFiles => DeepDirectories * FilesPerDeepDirectory;

    /// <summary>Mounts the tree at a new mount point of its own, with <paramref name="arguments"/>.</summary>
    internal MountedFileSystem Mount(params string[] arguments)
    {
        var root = Directory.CreateTempSubdirectory("throttlefs-test-").FullName;
        return MountedFileSystem.Mount(root, Source, Directory.CreateDirectory(Path.Combine(root, "mnt")).FullName, arguments);
    }

    public void Dispose() => Directory.Delete(Source, recursive: true);

    private static void Fill(string directory, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var path = Path.Combine(directory, $"f{i:D5}");
            var fd = Libc.Open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_CLOEXEC, 0x1A4);
            if (fd < 0 || Libc.Close(fd) != 0)
            {
                throw new IOException($"creating {path}: errno {Libc.LastErrno}");
            }
        }
    }
}
