using System.Text.Json.Nodes;
using System.Xml.Linq;
using ThrottleFs.Configuration;
using ThrottleFs.Qos;

namespace ThrottleFs.Tests;

/// <summary>
/// <see cref="LibvirtImport"/> on libvirt's own test domains. Cases upstream has no sample for (a shared group with
/// two different limits, a network disk, a bad value) vary a real sample in one named place.
/// </summary>
public class LibvirtImportTests
{
    /// <summary>Every libvirt <c>&lt;iotune&gt;</c> limit element and the QEMU key it must become.</summary>
    public static TheoryData<string, string> IotuneElements => new()
    {
        { "total_bytes_sec", "bps-total" },
        { "read_bytes_sec", "bps-read" },
        { "write_bytes_sec", "bps-write" },
        { "total_iops_sec", "iops-total" },
        { "read_iops_sec", "iops-read" },
        { "write_iops_sec", "iops-write" },
        { "total_bytes_sec_max", "bps-total-max" },
        { "read_bytes_sec_max", "bps-read-max" },
        { "write_bytes_sec_max", "bps-write-max" },
        { "total_iops_sec_max", "iops-total-max" },
        { "read_iops_sec_max", "iops-read-max" },
        { "write_iops_sec_max", "iops-write-max" },
        { "total_bytes_sec_max_length", "bps-total-max-length" },
        { "read_bytes_sec_max_length", "bps-read-max-length" },
        { "write_bytes_sec_max_length", "bps-write-max-length" },
        { "total_iops_sec_max_length", "iops-total-max-length" },
        { "read_iops_sec_max_length", "iops-read-max-length" },
        { "write_iops_sec_max_length", "iops-write-max-length" },
        { "size_iops_sec", "iops-size" },
    };

    [Fact]
    public void Samples_TogetherUseEveryIotuneElement()
    {
        var used = LibvirtSamples.All
            .SelectMany(name => LibvirtSamples.Load(name).Descendants())
            .Where(element => element.Name == "iotune" || element.Name == "throttlegroup")
            .SelectMany(element => element.Elements())
            .Select(element => element.Name.LocalName)
            .ToHashSet();

        var expected = IotuneElements.Select(row => (string)row[0]).Append("group_name").Order();
        Assert.Equal(expected, used.Order());
    }

    [Theory]
    [MemberData(nameof(IotuneElements))]
    public void EveryIotuneElement_MapsThroughThrottleKeys(string element, string canonical)
    {
        Assert.True(ThrottleKeys.TryFind(element, out var key));
        Assert.Equal(canonical, key.Name);
    }

    [Fact]
    public void MaxLengthSample_EveryLimitBecomesTheDisksOwnRule_UnderItsQemuName()
    {
        var result = LibvirtImport.Convert(LibvirtSamples.Load(LibvirtSamples.MaxLength), null);

        AssertJson(
            """
            {
              "groups": {},
              "rules": [
                {
                  "match": "QEMUGuest1",
                  "bps-total": 5000, "bps-total-max": 10000, "bps-total-max-length": 3,
                  "iops-total": 6000, "iops-total-max": 11000, "iops-total-max-length": 5
                },
                {
                  "match": "QEMUGuest2",
                  "bps-read": 5000, "bps-read-max": 6000, "bps-read-max-length": 3,
                  "bps-write": 5500, "bps-write-max": 6500, "bps-write-max-length": 5,
                  "iops-read": 3500, "iops-read-max": 7000, "iops-read-max-length": 7,
                  "iops-write": 4000, "iops-write-max": 7500, "iops-write-max-length": 9,
                  "iops-size": 2000
                }
              ]
            }
            """,
            result.Config);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void MaxLengthSample_KeysComeInTheOrderThrottleKeysDocuments()
    {
        var rule = (JsonObject)LibvirtImport.Convert(LibvirtSamples.Load(LibvirtSamples.MaxLength), "hdb").Config["rules"]![0]!;

        Assert.Equal(
            [
                "match",
                "bps-read", "bps-read-max", "bps-read-max-length",
                "bps-write", "bps-write-max", "bps-write-max-length",
                "iops-read", "iops-read-max", "iops-read-max-length",
                "iops-write", "iops-write-max", "iops-write-max-length",
                "iops-size",
            ],
            rule.Select(property => property.Key));
    }

    [Fact]
    public void GroupNumSample_EachGroupNameBecomesAGroup_AndTheRuleJoinsIt()
    {
        var result = LibvirtImport.Convert(LibvirtSamples.Load(LibvirtSamples.GroupNum), null);

        AssertJson(
            """
            {
              "groups": {
                "libvirt_iotune_group1": { "bps-total": 5000, "bps-total-max": 10000, "iops-total": 6000, "iops-total-max": 11000 },
                "libvirt_iotune_group2": {
                  "bps-read": 5000, "bps-read-max": 6000, "bps-write": 5500, "bps-write-max": 6500,
                  "iops-read": 3500, "iops-read-max": 7000, "iops-write": 4000, "iops-write-max": 7500,
                  "iops-size": 2000
                }
              },
              "rules": [
                { "match": "QEMUGuest1", "group": "libvirt_iotune_group1" },
                { "match": "QEMUGuest2", "group": "libvirt_iotune_group2" }
              ]
            }
            """,
            result.Config);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void ThrottleFilterSample_FirstFilterBecomesTheGroup_ChainedOnesAreWarnedAbout()
    {
        var result = LibvirtImport.Convert(LibvirtSamples.Load(LibvirtSamples.ThrottleFilter), null);

        // limit12 is only ever second in a chain and limit3 is used by no disk, so neither is written.
        AssertJson(
            """
            {
              "groups": {
                "limit0": { "bps-total": 4000, "iops-total": 4000 },
                "limit1": { "bps-read": 5000, "bps-write": 5000, "iops-total": 5000 },
                "limit2": { "bps-read": 6000, "bps-write": 6000, "iops-total": 6000 }
              },
              "rules": [
                { "match": "QEMUGuest1", "group": "limit0" },
                { "match": "QEMUGuest2", "group": "limit1" },
                { "match": "QEMUGuest3", "group": "limit2" },
                { "match": "QEMUGuest4", "bps-total": 10000000, "iops-read": 400000, "iops-write": 100000 }
              ]
            }
            """,
            result.Config);
        Assert.Equal(
            [
                "disk 'vdb' is throttled by 2 groups in a chain (limit1, limit12), but a ThrottleFs file belongs to one group: " +
                "'QEMUGuest2' joins 'limit1' only, and the limits of 'limit12' do not apply to it",
                "disk 'vdc' is throttled by 2 groups in a chain (limit2, limit12), but a ThrottleFs file belongs to one group: " +
                "'QEMUGuest3' joins 'limit2' only, and the limits of 'limit12' do not apply to it",
            ],
            result.Warnings);
    }

    [Fact]
    public void DiskOption_ImportsOnlyThatDisk()
    {
        var result = LibvirtImport.Convert(LibvirtSamples.Load(LibvirtSamples.MaxLength), "hda");

        AssertJson(
            """
            {
              "groups": {},
              "rules": [
                {
                  "match": "QEMUGuest1",
                  "bps-total": 5000, "bps-total-max": 10000, "bps-total-max-length": 3,
                  "iops-total": 6000, "iops-total-max": 11000, "iops-total-max-length": 5
                }
              ]
            }
            """,
            result.Config);
    }

    [Fact]
    public void DiskOption_WritesOnlyTheGroupsOfThatDisk_AndOnlyItsWarnings()
    {
        var result = LibvirtImport.Convert(LibvirtSamples.Load(LibvirtSamples.ThrottleFilter), "vdb");

        AssertJson(
            """
            {
              "groups": { "limit1": { "bps-read": 5000, "bps-write": 5000, "iops-total": 5000 } },
              "rules": [ { "match": "QEMUGuest2", "group": "limit1" } ]
            }
            """,
            result.Config);
        var warning = Assert.Single(result.Warnings);
        Assert.StartsWith("disk 'vdb' is throttled by 2 groups in a chain (limit1, limit12)", warning);
    }

    [Fact]
    public void DiskOption_UnknownTarget_IsAnErrorListingTheDomainsDisks()
    {
        var e = Assert.Throws<LibvirtImportException>(() => LibvirtImport.Convert(LibvirtSamples.Load(LibvirtSamples.ThrottleFilter), "sda"));

        Assert.Equal(["domain 'QEMUGuest1' has no disk with target 'sda'; its disks are: vda, vdb, vdc, vdd"], e.Errors);
    }

    [Fact]
    public void DiskOption_DiskWithoutLimits_IsAnError()
    {
        var domain = LibvirtSamples.Load(LibvirtSamples.MaxLength);
        domain.Disk("hdb").Element("iotune")!.Remove();

        var e = Assert.Throws<LibvirtImportException>(() => LibvirtImport.Convert(domain, "hdb"));

        Assert.Equal(["disk 'hdb' of domain 'QEMUGuest1' has no <iotune> or <throttlefilters>, so there are no limits to import"], e.Errors);
    }

    [Fact]
    public void DomainWithoutAnyLimits_IsAnError()
    {
        var domain = LibvirtSamples.Load(LibvirtSamples.MaxLength);
        domain.Descendants("iotune").Remove();

        var e = Assert.Throws<LibvirtImportException>(() => LibvirtImport.Convert(domain, null));

        Assert.Equal(["domain 'QEMUGuest1' has no disk with <iotune> or <throttlefilters>, so there are no limits to import"], e.Errors);
    }

    [Fact]
    public void NotADomain_IsAnError()
    {
        var e = Assert.Throws<LibvirtImportException>(() => LibvirtImport.Convert(XDocument.Parse("<network><name>default</name></network>"), null));

        Assert.Equal(["this is not a libvirt domain: the root element is <network>, not <domain> (write the file with 'virsh dumpxml DOMAIN')"], e.Errors);
    }

    [Fact]
    public void SharedGroup_WithDifferentLimits_UsesTheLastDisks_AndNamesBothDisks()
    {
        // As if hdb had been put in hda's group with 'virsh blkdeviotune --group-name' but different limits.
        var domain = LibvirtSamples.Load(LibvirtSamples.GroupNum);
        domain.Disk("hdb").Element("iotune")!.Element("group_name")!.Value = "libvirt_iotune_group1";

        var result = LibvirtImport.Convert(domain, null);

        AssertJson(
            """
            {
              "groups": {
                "libvirt_iotune_group1": {
                  "bps-read": 5000, "bps-read-max": 6000, "bps-write": 5500, "bps-write-max": 6500,
                  "iops-read": 3500, "iops-read-max": 7000, "iops-write": 4000, "iops-write-max": 7500,
                  "iops-size": 2000
                }
              },
              "rules": [
                { "match": "QEMUGuest1", "group": "libvirt_iotune_group1" },
                { "match": "QEMUGuest2", "group": "libvirt_iotune_group1" }
              ]
            }
            """,
            result.Config);
        Assert.Equal(
            [
                "group 'libvirt_iotune_group1' is given different limits by disk 'hda' " +
                "(bps-total=5000,bps-total-max=10000,iops-total=6000,iops-total-max=11000) and disk 'hdb' " +
                "(bps-read=5000,bps-read-max=6000,bps-write=5500,bps-write-max=6500,iops-read=3500,iops-read-max=7000," +
                "iops-write=4000,iops-write-max=7500,iops-size=2000); QEMU applies the limits configured last, so those of disk 'hdb' are used",
            ],
            result.Warnings);
    }

    [Fact]
    public void SharedGroup_WithTheSameLimits_IsNotWarnedAbout()
    {
        // This is what libvirt itself writes: every disk of a group repeats the group's limits.
        var domain = LibvirtSamples.Load(LibvirtSamples.GroupNum);
        domain.Disk("hdb").Element("iotune")!.ReplaceWith(new XElement(domain.Disk("hda").Element("iotune")!));

        var result = LibvirtImport.Convert(domain, null);

        AssertJson(
            """{ "bps-total": 5000, "bps-total-max": 10000, "iops-total": 6000, "iops-total-max": 11000 }""",
            result.Config["groups"]!["libvirt_iotune_group1"]!);
        Assert.Single((JsonObject)result.Config["groups"]!);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void FileDisk_MatchesTheImagesFileName()
    {
        var domain = LibvirtSamples.Load(LibvirtSamples.MaxLength);
        var disk = domain.Disk("hda");
        disk.SetAttributeValue("type", "file");
        disk.Element("source")!.ReplaceWith(new XElement("source", new XAttribute("file", "/var/lib/libvirt/images/vm1.qcow2")));

        var result = LibvirtImport.Convert(domain, "hda");

        Assert.Equal("vm1.qcow2", (string?)result.Config["rules"]![0]!["match"]);
    }

    [Fact]
    public void NetworkDisk_IsSkippedWithAWarning_TheOtherDisksAreImported()
    {
        var domain = LibvirtSamples.Load(LibvirtSamples.MaxLength);
        var disk = domain.Disk("hda");
        disk.SetAttributeValue("type", "network");
        disk.Element("source")!.ReplaceWith(new XElement("source", new XAttribute("protocol", "rbd"), new XAttribute("name", "pool/image")));

        var result = LibvirtImport.Convert(domain, null);

        Assert.Equal(["QEMUGuest2"], result.Config["rules"]!.AsArray().Select(rule => (string?)rule!["match"]));
        Assert.Equal(
            ["disk 'hda' (type 'network') has no <source file> or <source dev>, so there is no file on a ThrottleFs mount to match; it is skipped: write the rule for it by hand"],
            result.Warnings);
    }

    [Fact]
    public void OnlyNetworkDisks_IsAnError_WithTheSkipWarnings()
    {
        var domain = LibvirtSamples.Load(LibvirtSamples.MaxLength);
        var disk = domain.Disk("hdb");
        disk.SetAttributeValue("type", "network");
        disk.Element("source")!.ReplaceWith(new XElement("source", new XAttribute("protocol", "nbd"), new XAttribute("name", "export")));

        var e = Assert.Throws<LibvirtImportException>(() => LibvirtImport.Convert(domain, "hdb"));

        Assert.Equal(["no rule could be written: every disk with limits was skipped (see the warnings)"], e.Errors);
        Assert.Contains("disk 'hdb' (type 'network')", Assert.Single(e.Warnings));
    }

    [Fact]
    public void UnknownIotuneElement_IsWarnedAbout_AndTheRestIsImported()
    {
        // QEMU and QMP spellings are not libvirt's: libvirt ignores them, so they limit nothing.
        var domain = LibvirtSamples.Load(LibvirtSamples.MaxLength);
        var iotune = domain.Disk("hda").Element("iotune")!;
        iotune.Add(new XElement("total_bytes_sec_burst", "1"), new XElement("iops-total", "7"), new XElement("Total_Iops_Sec", "8"));

        var result = LibvirtImport.Convert(domain, "hda");

        Assert.Equal(6000, (long)result.Config["rules"]![0]!["iops-total"]!);
        Assert.Equal(
            [
                "disk 'hda': <iotune> has an element ThrottleFs does not know, <total_bytes_sec_burst>; it is ignored",
                "disk 'hda': <iotune> has an element ThrottleFs does not know, <iops-total>; it is ignored",
                "disk 'hda': <iotune> has an element ThrottleFs does not know, <Total_Iops_Sec>; it is ignored",
            ],
            result.Warnings);
    }

    [Fact]
    public void ZeroValues_MeanNoLimit_AndAreLeftOut()
    {
        var domain = LibvirtSamples.Load(LibvirtSamples.MaxLength);
        var iotune = domain.Disk("hda").Element("iotune")!;
        iotune.Element("total_iops_sec")!.Value = "0";
        iotune.Element("total_iops_sec_max")!.Value = "0";
        iotune.Element("total_iops_sec_max_length")!.Value = "0";

        var result = LibvirtImport.Convert(domain, "hda");

        AssertJson(
            """{ "match": "QEMUGuest1", "bps-total": 5000, "bps-total-max": 10000, "bps-total-max-length": 3 }""",
            result.Config["rules"]![0]!);
    }

    [Fact]
    public void IotuneWithOnlyZeros_IsIgnoredWithAWarning()
    {
        var domain = LibvirtSamples.Load(LibvirtSamples.MaxLength);
        foreach (var limit in domain.Disk("hda").Element("iotune")!.Elements())
        {
            limit.Value = "0";
        }

        var result = LibvirtImport.Convert(domain, null);

        Assert.Equal(["QEMUGuest2"], result.Config["rules"]!.AsArray().Select(rule => (string?)rule!["match"]));
        Assert.Equal(["disk 'hda': <iotune> sets no limit (every value is 0 or absent, which libvirt reads as no limit), so it is ignored"], result.Warnings);
    }

    [Fact]
    public void BadValues_AreErrorsNamingDiskAndElement_AllOfThem()
    {
        var domain = LibvirtSamples.Load(LibvirtSamples.MaxLength);
        domain.Disk("hda").Element("iotune")!.Element("total_iops_sec")!.Value = "6k";
        domain.Disk("hdb").Element("iotune")!.Element("size_iops_sec")!.Value = "-512";
        domain.Disk("hdb").Element("iotune")!.Element("read_bytes_sec")!.Value = "99999999999999999999";

        var e = Assert.Throws<LibvirtImportException>(() => LibvirtImport.Convert(domain, null));

        Assert.Equal(
            [
                "disk 'hda': <total_iops_sec> is '6k', which is not a whole number",
                "disk 'hdb': <read_bytes_sec> is 99999999999999999999, more than ThrottleFs can hold (9223372036854775807)",
                "disk 'hdb': <size_iops_sec> is -512; a limit cannot be negative (0 means no limit)",
            ],
            e.Errors);
    }

    [Fact]
    public void ThrottleFilter_NamingAnUndefinedGroup_IsAnError()
    {
        var domain = LibvirtSamples.Load(LibvirtSamples.ThrottleFilter);
        domain.Disk("vda").Element("throttlefilters")!.Element("throttlefilter")!.SetAttributeValue("group", "limit9");

        var e = Assert.Throws<LibvirtImportException>(() => LibvirtImport.Convert(domain, null));

        Assert.Equal(["disk 'vda': <throttlefilter group='limit9'> names a group that <throttlegroups> does not define"], e.Errors);
    }

    [Fact]
    public void ThrottleGroup_BadValue_IsAnErrorNamingTheGroup_OnlyWhenADiskUsesIt()
    {
        var domain = LibvirtSamples.Load(LibvirtSamples.ThrottleFilter);
        var limit3 = domain.Descendants("throttlegroup").Single(group => group.Element("group_name")!.Value == "limit3");
        limit3.Element("total_iops_sec")!.Value = "lots";
        var limit0 = domain.Descendants("throttlegroup").Single(group => group.Element("group_name")!.Value == "limit0");
        limit0.Element("total_iops_sec")!.Value = "-1";

        var e = Assert.Throws<LibvirtImportException>(() => LibvirtImport.Convert(domain, null));

        // limit3 is used by no disk, so its value does not matter.
        Assert.Equal(["<throttlegroup> 'limit0': <total_iops_sec> is -1; a limit cannot be negative (0 means no limit)"], e.Errors);
    }

    [Fact]
    public void TwoDisksWithTheSameFileName_AreWarnedAbout()
    {
        var domain = LibvirtSamples.Load(LibvirtSamples.MaxLength);
        domain.Disk("hda").Element("source")!.SetAttributeValue("dev", "/dev/OtherVG/QEMUGuest2");

        var result = LibvirtImport.Convert(domain, null);

        Assert.Equal(
            ["disk 'hda' and disk 'hdb' both use a file named 'QEMUGuest2', and the first rule would match both files: change 'match' to each file's path relative to the mount root"],
            result.Warnings);
    }

    [Fact]
    public void FileNameWithGlobCharacters_IsWarnedAbout()
    {
        var domain = LibvirtSamples.Load(LibvirtSamples.MaxLength);
        domain.Disk("hda").Element("source")!.SetAttributeValue("dev", "/dev/disk/by-id/disk[1]");

        var result = LibvirtImport.Convert(domain, "hda");

        Assert.Equal("disk[1]", (string?)result.Config["rules"]![0]!["match"]);
        Assert.Equal(
            ["the file name of disk 'hda', 'disk[1]', contains a character a 'match' glob reads as a pattern (* ? [ \\): check that the rule matches only this file"],
            result.Warnings);
    }

    private static void AssertJson(string expected, JsonNode actual)
    {
        var expectedNode = JsonNode.Parse(expected)!;
        Assert.True(
            JsonNode.DeepEquals(expectedNode, actual),
            $"expected {expectedNode.ToJsonString()}{Environment.NewLine}actual   {actual.ToJsonString()}");
    }
}
