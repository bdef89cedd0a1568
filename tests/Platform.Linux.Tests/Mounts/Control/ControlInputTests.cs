using System.Text;
using System.Text.Json;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Control;

/// <summary>
/// What reaches the control file, however it is written: lines cut at any write boundary, a last line without its
/// newline, batches bigger than a write, paths that can name no file, and <c>throttlefs set</c> saying exactly what it
/// did with the mount point spelled any way.
/// </summary>
public sealed class ControlInputTests
{
    [Fact]
    public void ACommandCutAcrossWrites_IsAppliedWhole_NotWithItsFirstHalf()
    {
        using var mount = MountedFileSystem.Start();
        using (var control = new FileStream(mount.Control("control"), FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1))
        {
            control.Write("file t.img iops-total=123"u8);
            Assert.Null(FileLimit(mount, "t.img")); // nothing yet: the line is not complete
            control.Write("456\nfile u.img iops"u8);
            Assert.Equal(123456, FileLimit(mount, "t.img"));
            control.Write("-total=7\n"u8);
        }

        Assert.Equal(7, FileLimit(mount, "u.img"));
    }

    [Fact]
    public void ALastLineWithoutItsNewline_RunsAtClose_AndItsRefusalFailsTheClose()
    {
        using var mount = MountedFileSystem.Start();
        Assert.Equal(0, Tool.Run("sh", "-c", $"printf 'file t.img iops-total=77' > {mount.Control("control")}").ExitCode);
        Assert.Equal(77, FileLimit(mount, "t.img"));

        // Shells ignore close(2)'s result; perl says what it was.
        var refused = Tool.Run("perl", "-e", "open(my $f, '>', $ARGV[0]) or die; syswrite($f, 'file t.img bogus=1'); close($f) ? exit 0 : die \"close: $!\\n\"", mount.Control("control"));
        Assert.Contains("close: Invalid argument", refused.Error);
        Assert.Contains("bogus", File.ReadAllText(mount.Control("errors")));
        Assert.Equal(77, FileLimit(mount, "t.img"));
    }

    [Fact]
    public void CatOfABatchLargerThanAWrite_AppliesEveryLine()
    {
        using var mount = MountedFileSystem.Start();
        var batch = Path.Combine(mount.Root, "batch.txt");
        File.WriteAllText(batch, string.Concat(Enumerable.Range(0, 20_000).Select(i => $"file images/disk-{i % 500}.img iops-total={1000 + i}\n")));
        Assert.True(new FileInfo(batch).Length > 128 * 1024 * 5); // cat writes 128 KiB at a time: many cuts

        var cat = Tool.Run("sh", "-c", $"cat {batch} > {mount.Control("control")}");
        Assert.True(cat.ExitCode == 0, cat.ToString());
        var files = ControlDirectoryTests.Effective(mount).GetProperty("files");
        Assert.Equal(500, files.EnumerateObject().Count());
        Assert.Equal(1000 + 19_999, files.GetProperty("images/disk-499.img").GetProperty("iops-total").GetInt64());
        Assert.Equal(1000 + 19_500, files.GetProperty("images/disk-0.img").GetProperty("iops-total").GetInt64());
    }

    [Fact]
    public void SetFromStandardInput_SaysWhichLinesWereApplied_WhenOneIsRefused()
    {
        using var mount = MountedFileSystem.Start();
        var set = Tool.Run("sh", "-c", $"printf 'file a.img iops-total=5\\nbogus\\nfile b.img iops-total=6\\n' | dotnet {Path.Combine(AppContext.BaseDirectory, "throttlefs.dll")} set {mount.Point} -");

        Assert.Equal(2, set.ExitCode);
        Assert.Contains("applied 1 of 3 lines; refused line 2: bogus", set.Error);
        Assert.Contains("unknown command 'bogus'", set.Error);
        Assert.Contains("the 1 line(s) after it were not sent", set.Error);
        Assert.Equal(5, FileLimit(mount, "a.img"));
        Assert.Null(FileLimit(mount, "b.img"));
    }

    [Fact]
    public void Set_TakesTheMountPointWithATrailingSlash_AndRefusesAPathOutsideTheMount()
    {
        using var mount = MountedFileSystem.Start();

        var inside = Tool.ThrottleFs("set", mount.Point + "/", "file", mount.OnMount("a.img"), "iops-total=9");
        Assert.True(inside.ExitCode == 0, inside.ToString());
        Assert.Equal(9, FileLimit(mount, "a.img"));

        var outside = Tool.ThrottleFs("set", mount.Point, "file", "/etc/passwd", "iops-total=1");
        Assert.Equal(2, outside.ExitCode);
        Assert.Contains("'/etc/passwd' is not inside the mount", outside.Error);
        Assert.Single(ControlDirectoryTests.Effective(mount).GetProperty("files").EnumerateObject());
    }

    [Theory]
    [InlineData("file a\0b.img iops-total=1\n", "contains a NUL byte")]
    [InlineData("file .throttlefs/stats iops-total=1\n", "control directory")]
    [InlineData("file .throttlefs iops-total=1\n", "control directory")]
    [InlineData("assign images/x.img nope\n", "group 'nope' is not defined")]
    public void LinesNamingNoPossibleFile_AreRefused_WithTheReason(string line, string reason)
    {
        using var mount = MountedFileSystem.Start();
        Assert.Throws<IOException>(() => Write(mount, Encoding.UTF8.GetBytes(line)));
        Assert.Contains(reason, File.ReadAllText(mount.Control("errors")));
        Assert.False(ControlDirectoryTests.Effective(mount).GetProperty("files").EnumerateObject().Any());
    }

    [Fact]
    public void AMegabytePath_IsRefused_AsNoLineCanBeThatLong()
    {
        using var mount = MountedFileSystem.Start();
        Assert.Throws<IOException>(() => Write(mount, Encoding.UTF8.GetBytes($"file {new string('a', 1 << 20)} iops-total=1\n")));
        Assert.Contains("more than 65536 bytes", File.ReadAllText(mount.Control("errors")));

        // Within a line, a path longer than Linux takes names no file either.
        Assert.Throws<IOException>(() => Write(mount, Encoding.UTF8.GetBytes($"file {string.Join('/', Enumerable.Repeat(new string('b', 200), 30))} iops-total=1\n")));
        Assert.Contains("longer than 4095 bytes", File.ReadAllText(mount.Control("errors")));
    }

    internal static long? FileLimit(MountedFileSystem mount, string path) =>
        ControlDirectoryTests.Effective(mount).GetProperty("files").TryGetProperty(path, out var entry) && entry.TryGetProperty("iops-total", out var limit)
            ? limit.GetInt64()
            : null;

    private static void Write(MountedFileSystem mount, byte[] bytes)
    {
        using var control = new FileStream(mount.Control("control"), FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
        control.Write(bytes);
    }
}
