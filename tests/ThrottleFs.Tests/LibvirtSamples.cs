using System.Xml.Linq;

namespace ThrottleFs.Tests;

/// <summary>The libvirt domain XML samples in Samples/libvirt (copied verbatim from libvirt's tests; see README.md there).</summary>
internal static class LibvirtSamples
{
    /// <summary>Every limit at once on two block disks, bursts and burst lengths included.</summary>
    public const string MaxLength = "blkdeviotune-max-length.xml";

    /// <summary>Two block disks, each in its own <c>&lt;group_name&gt;</c>.</summary>
    public const string GroupNum = "blkdeviotune-group-num.xml";

    /// <summary>libvirt 11.2 <c>&lt;throttlegroups&gt;</c> and chained <c>&lt;throttlefilters&gt;</c>, plus one <c>&lt;iotune&gt;</c>.</summary>
    public const string ThrottleFilter = "throttlefilter.xml";

    public static IReadOnlyList<string> All { get; } = [MaxLength, GroupNum, ThrottleFilter];

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Samples", "libvirt", name);

    public static XDocument Load(string name) => XDocument.Load(PathOf(name));

    /// <summary>The sample's disk with target <paramref name="target"/>, for tests that vary a real sample.</summary>
    public static XElement Disk(this XDocument domain, string target) =>
        domain.Root!.Element("devices")!.Elements("disk").Single(disk => disk.Element("target")?.Attribute("dev")?.Value == target);
}
