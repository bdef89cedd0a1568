using System.Text.Json.Nodes;
using System.Xml.Linq;
using ThrottleFs.Configuration;
using ThrottleFs.Qos;

namespace ThrottleFs.Tests;

/// <summary>
/// <see cref="LibvirtImport"/> on the limits of an <c>&lt;iotune&gt;</c>: every element libvirt documents becomes the
/// QEMU key of the same limit, in the order <see cref="ThrottleKeys"/> documents; an unknown element is warned about,
/// 0 means no limit, and a value that is not a limit is an error. Runs on libvirt's own test domains
/// (<see cref="LibvirtSamples"/>); cases upstream has no sample for vary a real sample in one named place.
/// </summary>
public sealed class LibvirtIotuneImportTests
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

        JsonAssert.Equal(
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

        JsonAssert.Equal(
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
}
