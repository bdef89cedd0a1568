namespace ThrottleFs.Platform.Linux.Tests.Mounts.Security;

/// <summary>
/// Set-user-ID and set-group-ID bits through a mount behave as on the backing store (ext4 or tmpfs here): a write or
/// truncation by a user without CAP_FSETID clears them (set-group-ID only with group execute, as Linux does), and a
/// non-root user creates a set-id file in one step. Each case runs the same command as <c>nobody</c> on the mount and
/// directly on the backing store and compares the resulting mode, in both I/O modes.
/// </summary>
public sealed class SetIdTests
{
    private const string Nobody = "65534";

    public static TheoryData<string, string, bool> Changes()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var pageCache in new[] { false, true })
        {
            foreach (var mode in new[] { "4777", "2777", "6777", "2767", "4766" })
            {
                data.Add(mode, "echo x >> \"$1\"", pageCache);   // append: a WRITE
                data.Add(mode, "echo x > \"$1\"", pageCache);    // O_TRUNC at open, then a WRITE
                data.Add(mode, "truncate -s 10 \"$1\"", pageCache); // truncate(2): a SETATTR of the size
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public void AChangeByAnUnprivilegedUser_ClearsTheSetIdBits_AsTheBackingStoreDoes(string mode, string shell, bool pageCache)
    {
        using var mount = MountedFileSystem.Start(pageCache ? ["--page-cache"] : []);
        File.SetUnixFileMode(mount.Root, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(mount.Backing, (UnixFileMode)0b111_111_111);

        var expected = ModeAfter(mount.OnBacking("reference"), mode, shell);
        var actual = ModeAfter(mount.OnMount("through-mount"), mode, shell);
        Assert.Equal(expected, actual);
        Assert.Equal(actual, Mode(mount.OnBacking("through-mount")));
    }

    [Theory]
    [InlineData("sysopen(my $f, $ARGV[0], O_CREAT | O_WRONLY, 04755) or die $!", "4755")]
    [InlineData("sysopen(my $f, $ARGV[0], O_CREAT | O_WRONLY, 02775) or die $!", "2775")]
    [InlineData("sysopen(my $f, $ARGV[0], O_CREAT | O_WRONLY, 06711) or die $!", "6711")]
    [InlineData("POSIX::mkfifo($ARGV[0], 04644) or die $!", "4644")]
    public void ANonRootUser_CreatesASetIdFileInOneStep_AsOnTheBackingStore(string perl, string requested)
    {
        using var mount = MountedFileSystem.Start();
        File.SetUnixFileMode(mount.Root, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(mount.Backing, (UnixFileMode)0b111_111_111);

        string Create(string path)
        {
            var result = AsNobody("sh", "-c", "umask 0; exec perl -MPOSIX -MFcntl -e \"$0\" \"$1\"", perl, path);
            Assert.True(result.ExitCode == 0, result.ToString());
            return Mode(path);
        }

        Assert.Equal(requested, Create(mount.OnBacking("reference")));
        Assert.Equal(requested, Create(mount.OnMount("through-mount")));
        Assert.Equal(requested, Mode(mount.OnBacking("through-mount")));
        Assert.Equal(Nobody, Tool.Run("stat", "-c", "%u", mount.OnBacking("through-mount")).Output.Trim());
    }

    private static string ModeAfter(string path, string mode, string shell)
    {
        File.WriteAllText(path, "0123456789abcdef");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(mode, 8));
        var result = AsNobody("sh", "-c", shell, "sh", path);
        Assert.True(result.ExitCode == 0, result.ToString());
        return Mode(path);
    }

    private static string Mode(string path) => Tool.Run("stat", "-c", "%a", path).Output.Trim();

    private static Tool.Result AsNobody(params string[] command) =>
        Tool.Run("setpriv", ["--reuid", Nobody, "--regid", Nobody, "--clear-groups", .. command]);
}
