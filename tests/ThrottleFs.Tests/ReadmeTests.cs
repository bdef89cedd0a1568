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
        var readme = File.ReadAllText(FindReadme());
        var section = readme[readme.IndexOf("## Configuration", StringComparison.Ordinal)..];
        using var config = new TempConfig(JsonBlock().Match(section).Groups[1].Value);

        var limits = EffectiveLimits.Resolve(new ConfigSource(config.Path, []).Load(), RuntimeOverrides.None);

        Assert.Equal((2000, "vms"), (limits.ForFile("images/vm1.qcow2").Own.IopsTotal.Avg, limits.ForFile("images/vm1.qcow2").Group));
        Assert.Equal((0, 50), (limits.ForFile("var/app.log").Own.IopsTotal.Avg, limits.ForFile("var/app.log").Own.IopsWrite.Avg));
        Assert.Null(limits.ForFile("scratch/a/b.bin").Group);
        Assert.Equal(8000, limits.ForFile("images/db.qcow2").Own.IopsTotal.Avg);
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
