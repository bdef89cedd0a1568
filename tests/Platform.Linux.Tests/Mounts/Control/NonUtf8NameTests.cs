using System.Text.Json;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Control;

/// <summary>
/// File names that are not UTF-8 (<c>\xff.img</c>, <c>\xfe.img</c>) are two files to ThrottleFs too: their own
/// throttle state, limits and statistics, shown as <c>\xHH</c> and named that way in control commands.
/// </summary>
public sealed class NonUtf8NameTests
{
    [Fact]
    public void TwoNamesThatAreNotUtf8_KeepTheirOwnLimitsAndStatistics()
    {
        using var mount = MountedFileSystem.Start(backing => Tool.Run("sh", "-c", $"cd {backing} && printf x > \"$(printf '\\377.img')\" && printf y > \"$(printf '\\376.img')\""));

        Assert.Equal(0, Tool.Run("sh", "-c", $"cat {mount.Point}/\"$(printf '\\377.img')\" {mount.Point}/\"$(printf '\\376.img')\" > /dev/null").ExitCode);
        Assert.Equal(0, Tool.Run("sh", "-c", $"printf 'file \\\\xff.img iops-total=10\\n' > {mount.Control("control")}").ExitCode);

        var files = ControlDirectoryTests.Effective(mount).GetProperty("files");
        Assert.Equal(["\\xff.img"], files.EnumerateObject().Select(file => file.Name));

        var ff = Tool.Run("sh", "-c", $"getfattr --only-values -n user.throttlefs.limits {mount.Point}/\"$(printf '\\377.img')\"");
        var fe = Tool.Run("sh", "-c", $"getfattr --only-values -n user.throttlefs.limits {mount.Point}/\"$(printf '\\376.img')\"");
        Assert.StartsWith("file iops-total=10\n", ff.Output);
        Assert.StartsWith("file unlimited\n", fe.Output);

        using var statistics = JsonDocument.Parse(File.ReadAllText(mount.Control("stats")));
        var paths = statistics.RootElement.GetProperty("files").EnumerateArray().Select(file => file.GetProperty("path").GetString()).Order().ToList();
        Assert.Equal(["\\xfe.img", "\\xff.img"], paths);
    }
}
