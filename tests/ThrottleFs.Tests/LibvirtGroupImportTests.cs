using System.Text.Json.Nodes;
using System.Xml.Linq;
using ThrottleFs.Configuration;

namespace ThrottleFs.Tests;

/// <summary>
/// <see cref="LibvirtImport"/> on throttle groups: a <c>&lt;group_name&gt;</c> and libvirt 11.2's
/// <c>&lt;throttlegroups&gt;</c> and <c>&lt;throttlefilters&gt;</c> become groups the disks' rules join; a chain of
/// groups, a group given different limits, an undefined group and a bad group value are warned about or refused.
/// Runs on libvirt's own test domains (<see cref="LibvirtSamples"/>), varied in one named place where upstream has
/// no sample.
/// </summary>
public sealed class LibvirtGroupImportTests
{
    [Fact]
    public void GroupNumSample_EachGroupNameBecomesAGroup_AndTheRuleJoinsIt()
    {
        var result = LibvirtImport.Convert(LibvirtSamples.Load(LibvirtSamples.GroupNum), null);

        JsonAssert.Equal(
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
        JsonAssert.Equal(
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
    public void SharedGroup_WithDifferentLimits_UsesTheLastDisks_AndNamesBothDisks()
    {
        // As if hdb had been put in hda's group with 'virsh blkdeviotune --group-name' but different limits.
        var domain = LibvirtSamples.Load(LibvirtSamples.GroupNum);
        domain.Disk("hdb").Element("iotune")!.Element("group_name")!.Value = "libvirt_iotune_group1";

        var result = LibvirtImport.Convert(domain, null);

        JsonAssert.Equal(
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

        JsonAssert.Equal(
            """{ "bps-total": 5000, "bps-total-max": 10000, "iops-total": 6000, "iops-total-max": 11000 }""",
            result.Config["groups"]!["libvirt_iotune_group1"]!);
        Assert.Single((JsonObject)result.Config["groups"]!);
        Assert.Empty(result.Warnings);
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
}
