using System.Text.RegularExpressions;
using ThrottleFs.Configuration;
using ThrottleFs.Throttling;

namespace ThrottleFs.Tests;

/// <summary>The README's config example is a config a mount accepts, meaning what the README says it means.</summary>
public sealed partial class ReadmeTests
{
    [Fact]
    public void TheConfigurationExample_IsValid()
    {
        var limits = FirstConfigUnder("## Configuration");

        Assert.Equal((2000, "vms"), (limits.ForFile("images/vm1.qcow2").Own.IopsTotal.Avg, limits.ForFile("images/vm1.qcow2").Group));
        Assert.Equal((0, 50), (limits.ForFile("var/app.log").Own.IopsTotal.Avg, limits.ForFile("var/app.log").Own.IopsWrite.Avg));
        Assert.Null(limits.ForFile("scratch/a/b.bin").Group);
        Assert.Equal(8000, limits.ForFile("images/db.qcow2").Own.IopsTotal.Avg);
    }

    [Fact]
    public void TheLimitsByCallerExample_MeansWhatTheReadmeSays()
    {
        var limits = FirstConfigUnder("### Limits by caller");

        Assert.Equal(CallerField.Uid, limits.PerOf("users"));
        Assert.Equal(500, limits.Groups["users"].IopsTotal.Avg);
        var fio = limits.ForCaller("images/vm.img", new Opener(1000, 1000, "fio"));
        Assert.Equal((100L, (string?)null), (fio.Own.IopsTotal.Avg, fio.Group));
        var qemu = limits.ForCaller("images/vm.img", new Opener(107, 107, "qemu-system-x86_64"));
        Assert.Equal((0L, (string?)null), (qemu.Own.IopsTotal.Avg, qemu.Group));
        var user = limits.ForCaller("home/notes.txt", new Opener(1000, 1000, "vim"));
        Assert.Equal((0L, "users"), (user.Own.IopsTotal.Avg, user.Group));
        Assert.Equal("users", limits.ForCaller("home/notes.txt", new Opener(107, 107, "qemu-system-x86_64")).Group); // outside images/
    }

    [Fact]
    public void TheAcrossHostsExample_MakesAClusterGroupWithItsFallback()
    {
        var limits = FirstConfigUnder("## Across hosts");

        Assert.Equal(new ClusterSettings("10.0.0.5:6379,password=s3cret", "throttlefs", "hv07"), limits.Settings.Cluster);
        Assert.True(limits.IsClusterWide("tenant-a"));
        Assert.Equal(5000, limits.Groups["tenant-a"].IopsTotal.Avg);
        Assert.Equal("iops-total=500,bps-total=40M", limits.Settings.ClusterGroups["tenant-a"].ToString());
        Assert.Equal("tenant-a", limits.ForFile("tenant-a/vm1.qcow2").Group);
    }

    // The first JSON block after a heading, loaded as a mount loads its config.
    private static EffectiveLimits FirstConfigUnder(string heading)
    {
        var readme = File.ReadAllText(FindReadme());
        var section = readme[readme.IndexOf(heading, StringComparison.Ordinal)..];
        using var config = new TempConfig(JsonBlock().Match(section).Groups[1].Value);
        return EffectiveLimits.Resolve(new ConfigSource(config.Path, []).Load(), RuntimeOverrides.None);
    }

    private static string FindReadme()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var readme = Path.Combine(directory.FullName, "README.md");
            if (File.Exists(readme) && File.Exists(Path.Combine(directory.FullName, "ThrottleFs.sln")))
            {
                return readme;
            }
        }

        throw new FileNotFoundException("README.md next to ThrottleFs.sln, above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("```json\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
