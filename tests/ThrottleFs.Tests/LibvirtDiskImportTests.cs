using System.Xml.Linq;
using ThrottleFs.Configuration;

namespace ThrottleFs.Tests;

/// <summary>
/// <see cref="LibvirtImport"/> on which disks it imports and what their rules match: the disk option, file, block
/// and network disks, file names a rule cannot tell apart or that read as a glob, and documents with nothing to
/// import. Runs on libvirt's own test domains (<see cref="LibvirtSamples"/>), varied in one named place where
/// upstream has no sample.
/// </summary>
public sealed class LibvirtDiskImportTests
{
    [Fact]
    public void DiskOption_ImportsOnlyThatDisk()
    {
        var result = LibvirtImport.Convert(LibvirtSamples.Load(LibvirtSamples.MaxLength), "hda");

        JsonAssert.Equal(
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

        JsonAssert.Equal(
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
}
