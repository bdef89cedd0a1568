using ThrottleFs.Platform.Windows.Hosting;

namespace ThrottleFs.Platform.Windows.Tests.Hosting;

/// <summary>Mount points as users type them, in the spelling dokan2 takes.</summary>
public sealed class MountPointNameTests
{
    [Theory]
    [InlineData("T", @"T:\")]
    [InlineData("t:", @"T:\")]
    [InlineData(@"T:\", @"T:\")]
    [InlineData("t:/", @"T:\")]
    [InlineData(" Z: ", @"Z:\")]
    public void DriveLetters_BecomeTheRootOfTheDrive(string typed, string expected)
    {
        Assert.True(MountPointName.TryNormalize(typed, out var mountPoint, out var problem), problem);
        Assert.Equal(expected, mountPoint);
    }

    [Fact]
    public void AnEmptyFolder_IsTakenByItsFullPath_WithoutATrailingSeparator()
    {
        var folder = Directory.CreateTempSubdirectory("throttlefs-mountpoint-").FullName;
        try
        {
            Assert.True(MountPointName.TryNormalize(folder + Path.DirectorySeparatorChar, out var mountPoint, out _));
            Assert.Equal(folder, mountPoint);
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    [Fact]
    public void AFolderThatIsNotEmpty_OrMissing_IsRefusedSayingWhatToDo()
    {
        var folder = Directory.CreateTempSubdirectory("throttlefs-mountpoint-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "x"), "");
            Assert.False(MountPointName.TryNormalize(folder, out _, out var notEmpty));
            Assert.Contains("is not empty", notEmpty);
            Assert.False(MountPointName.TryNormalize(Path.Combine(folder, "missing"), out _, out var missing));
            Assert.Contains("does not exist", missing);
            Assert.Contains("drive letter", missing);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("T:x", false)]
    [InlineData("TT", false)]
    [InlineData("1:", false)]
    [InlineData("", false)]
    [InlineData("q", true)]
    public void IsDriveLetter_TakesOneLetterWithAnOptionalColonAndSeparator(string text, bool expected) =>
        Assert.Equal(expected, MountPointName.IsDriveLetter(text));
}
