using ThrottleFs.Cli;
using ThrottleFs.Configuration;
using ThrottleFs.Control;

namespace ThrottleFs.Tests;

public sealed class ControlFileFinderTests : IDisposable
{
    private readonly string mountPoint = Directory.CreateTempSubdirectory("throttlefs-control-").FullName;

    public void Dispose() => Directory.Delete(mountPoint, recursive: true);

    [Fact]
    public void FindsAServedFile()
    {
        Directory.CreateDirectory(Path.Combine(mountPoint, ".throttlefs"));
        File.WriteAllText(Path.Combine(mountPoint, ".throttlefs", "stats"), "{}");

        Assert.True(ControlFileFinder.TryFind(mountPoint, ControlFile.Stats, ControlDirectoryName.Default, out var path, out var problem));
        Assert.Equal(Path.Combine(mountPoint, ".throttlefs", "stats"), path);
        Assert.Null(problem);
    }

    [Fact]
    public void AMissingMountPoint_SaysSo()
    {
        var missing = Path.Combine(mountPoint, "nowhere");

        Assert.False(ControlFileFinder.TryFind(missing, ControlFile.Stats, ".throttlefs", out var path, out var problem));
        Assert.Null(path);
        Assert.Equal($"'{missing}' does not exist.", problem);
    }

    [Fact]
    public void ADirectoryWithoutControlDirectory_IsNotAMount()
    {
        Assert.False(ControlFileFinder.TryFind(mountPoint, ControlFile.Stats, ".throttlefs", out _, out var problem));
        Assert.Equal(
            $"'{mountPoint}' is not a ThrottleFs mount (no .throttlefs directory); mount it with: throttlefs mount SOURCE {mountPoint}",
            problem);
    }

    [Fact]
    public void AControlDirectoryWithoutTheFile_NamesTheFile()
    {
        Directory.CreateDirectory(Path.Combine(mountPoint, ".ctl"));

        Assert.False(ControlFileFinder.TryFind(mountPoint, ControlFile.Metrics, ".ctl", out _, out var problem));
        Assert.StartsWith($"'{Path.Combine(mountPoint, ".ctl")}' has no 'metrics' file", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ARelativeMountPoint_IsResolved()
    {
        Directory.CreateDirectory(Path.Combine(mountPoint, ".throttlefs"));
        File.WriteAllText(Path.Combine(mountPoint, ".throttlefs", "stats"), "{}");
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, mountPoint);

        Assert.True(ControlFileFinder.TryFind(relative, ControlFile.Stats, ".throttlefs", out var path, out _));
        Assert.True(Path.IsPathFullyQualified(path));
    }

    [Theory]
    [InlineData(".throttlefs", true)]
    [InlineData("control", true)]
    [InlineData("", false)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("a/b", false)]
    [InlineData("/abs", false)]
    public void Names_AreOneComponent(string name, bool valid)
    {
        Assert.Equal(valid, ControlDirectoryName.IsValid(name));
    }
}
