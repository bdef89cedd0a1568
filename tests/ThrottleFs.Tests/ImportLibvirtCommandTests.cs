using System.Xml.Linq;
using ThrottleFs.Cli;

namespace ThrottleFs.Tests;

/// <summary><c>throttlefs import-libvirt</c> run in-process, end to end: arguments, files, output, messages, exit codes.</summary>
public sealed class ImportLibvirtCommandTests : IDisposable
{
    private const string GroupNumConfig =
        """
        {
          "groups": {
            "libvirt_iotune_group1": {
              "bps-total": 5000,
              "bps-total-max": 10000,
              "iops-total": 6000,
              "iops-total-max": 11000
            },
            "libvirt_iotune_group2": {
              "bps-read": 5000,
              "bps-read-max": 6000,
              "bps-write": 5500,
              "bps-write-max": 6500,
              "iops-read": 3500,
              "iops-read-max": 7000,
              "iops-write": 4000,
              "iops-write-max": 7500,
              "iops-size": 2000
            }
          },
          "rules": [
            {
              "match": "QEMUGuest1",
              "group": "libvirt_iotune_group1"
            },
            {
              "match": "QEMUGuest2",
              "group": "libvirt_iotune_group2"
            }
          ]
        }

        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("throttlefs-import-").FullName;
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void WritesTheConfigAsIndentedJson_ToStandardOutput()
    {
        var exitCode = Run("import-libvirt", LibvirtSamples.PathOf(LibvirtSamples.GroupNum));

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal(GroupNumConfig.ReplaceLineEndings(), _output.ToString().ReplaceLineEndings());
        Assert.Equal("", _error.ToString());
    }

    [Fact]
    public void OutputOption_WritesTheFile_AndNothingToStandardOutput()
    {
        var file = Path.Combine(_directory, "vm1.json");

        var exitCode = Run("import-libvirt", LibvirtSamples.PathOf(LibvirtSamples.GroupNum), "--output", file);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal(GroupNumConfig.ReplaceLineEndings(), File.ReadAllText(file).ReplaceLineEndings());
        Assert.Equal("", _output.ToString());
    }

    [Fact]
    public void Warnings_GoToStandardError_Prefixed()
    {
        var exitCode = Run("import-libvirt", LibvirtSamples.PathOf(LibvirtSamples.ThrottleFilter), "--disk", "vdc");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal(
            [
                "throttlefs: warning: disk 'vdc' is throttled by 2 groups in a chain (limit2, limit12), but a ThrottleFs file " +
                "belongs to one group: 'QEMUGuest3' joins 'limit2' only, and the limits of 'limit12' do not apply to it",
            ],
            Lines(_error));
        Assert.Contains("\"match\": \"QEMUGuest3\"", _output.ToString());
    }

    [Fact]
    public void UnknownDisk_Fails_ListingTheDisks()
    {
        var path = LibvirtSamples.PathOf(LibvirtSamples.MaxLength);

        var exitCode = Run("import-libvirt", path, "--disk", "vdz");

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Equal([$"throttlefs: {path}: domain 'QEMUGuest1' has no disk with target 'vdz'; its disks are: hda, hdb"], Lines(_error));
        Assert.Equal("", _output.ToString());
    }

    [Fact]
    public void DomainWithoutLimits_Fails()
    {
        var path = Path.Combine(_directory, "plain.xml");
        var domain = LibvirtSamples.Load(LibvirtSamples.MaxLength);
        domain.Descendants("iotune").Remove();
        domain.Save(path);

        var exitCode = Run("import-libvirt", path);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Equal([$"throttlefs: {path}: domain 'QEMUGuest1' has no disk with <iotune> or <throttlefilters>, so there are no limits to import"], Lines(_error));
    }

    [Fact]
    public void MissingFile_Fails()
    {
        var path = Path.Combine(_directory, "missing.xml");

        var exitCode = Run("import-libvirt", path);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.StartsWith($"throttlefs: cannot read '{path}': ", Assert.Single(Lines(_error)));
    }

    [Fact]
    public void MalformedXml_Fails()
    {
        var path = Path.Combine(_directory, "truncated.xml");
        File.WriteAllText(path, File.ReadAllText(LibvirtSamples.PathOf(LibvirtSamples.GroupNum))[..200]);

        var exitCode = Run("import-libvirt", path);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.StartsWith($"throttlefs: '{path}' is not well-formed XML: ", Assert.Single(Lines(_error)));
    }

    [Fact]
    public void BadValue_Fails_NamingDiskAndElement()
    {
        var path = Path.Combine(_directory, "bad.xml");
        var domain = LibvirtSamples.Load(LibvirtSamples.MaxLength);
        domain.Disk("hdb").Element("iotune")!.Element("write_iops_sec_max_length")!.Value = "soon";
        domain.Save(path);

        var exitCode = Run("import-libvirt", path);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Equal([$"throttlefs: {path}: disk 'hdb': <write_iops_sec_max_length> is 'soon', which is not a whole number"], Lines(_error));
        Assert.Equal("", _output.ToString());
    }

    [Theory]
    [InlineData("import-libvirt")]
    [InlineData("import-libvirt", "a.xml", "b.xml")]
    [InlineData("import-libvirt", "a.xml", "--disks", "vda")]
    [InlineData("import-libvirt", "a.xml", "--disk")]
    public void BadCommandLine_IsAUsageError(params string[] args)
    {
        Assert.Equal(ExitCodes.Usage, Run(args));
        Assert.NotEqual("", _error.ToString());
    }

    [Fact]
    public void Help_SaysWhereTheXmlComesFrom_AndNamesEveryOption()
    {
        var exitCode = Run("import-libvirt", "--help");

        Assert.Equal(ExitCodes.Success, exitCode);
        var help = _output.ToString();
        Assert.Contains("virsh dumpxml vm1 > vm1.xml", help);
        Assert.Contains("DOMAIN.xml", help);
        Assert.Contains("--disk <TARGET>", help);
        Assert.Contains("--output <FILE>", help);
        Assert.Contains("<iotune>", help);
    }

    [Fact]
    public void RootHelp_ListsTheCommand()
    {
        Assert.Equal(ExitCodes.Success, Run("--help"));
        Assert.Contains("import-libvirt", _output.ToString());
    }

    private int Run(params string[] args) => ThrottleFsCommandLine.Run(args, new ThrowingMountHost(), _error, _output);

    private static string[] Lines(StringWriter writer) =>
        writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r')).ToArray();
}
