using ThrottleFs.Configuration;
using ThrottleFs.Throttling;

namespace ThrottleFs.Tests;

/// <summary>What import-libvirt writes is a config a mount accepts, with the disks' limits where libvirt put them.</summary>
public sealed class LibvirtImportRoundTripTests
{
    [Theory]
    [InlineData(LibvirtSamples.MaxLength)]
    [InlineData(LibvirtSamples.GroupNum)]
    [InlineData(LibvirtSamples.ThrottleFilter)]
    public void EverySample_ImportsToAValidConfig(string sample)
    {
        var imported = LibvirtImport.Convert(LibvirtSamples.Load(sample), null);
        using var config = new TempConfig(imported.Config.ToJsonString());

        var settings = new ConfigSource(config.Path, []).Load();
        var limits = EffectiveLimits.Resolve(settings, RuntimeOverrides.None);

        Assert.NotEmpty(settings.Rules);
        foreach (var rule in settings.Rules)
        {
            var (own, group) = limits.ForFile(rule.Match!.Pattern);
            Assert.True(own.IsEnabled || group is not null, $"{sample}: rule {rule.Match} gives its disk neither limits nor a group");
        }
    }

    [Fact]
    public void TheMaxLengthSample_KeepsEveryValue_ThroughTheConfigLoader()
    {
        var imported = LibvirtImport.Convert(LibvirtSamples.Load(LibvirtSamples.MaxLength), "hdb");
        using var config = new TempConfig(imported.Config.ToJsonString());
        var settings = new ConfigSource(config.Path, []).Load();
        var rule = Assert.Single(settings.Rules);
        var own = EffectiveLimits.Resolve(settings, RuntimeOverrides.None).ForFile(rule.Match!.Pattern).Own;

        // Every <iotune> element of the disk, read from the XML, against the limit the mount would apply.
        var iotune = LibvirtSamples.Load(LibvirtSamples.MaxLength).Disk("hdb").Element("iotune")!;
        Assert.NotEmpty(iotune.Elements());
        foreach (var element in iotune.Elements())
        {
            Assert.True(Qos.ThrottleKeys.TryFind(element.Name.LocalName, out var key), element.Name.LocalName);
            var value = long.Parse(element.Value, System.Globalization.CultureInfo.InvariantCulture);
            var actual = key.Bucket is { } bucket
                ? key.Field switch
                {
                    Qos.ThrottleKeyField.Avg => own[bucket].Avg,
                    Qos.ThrottleKeyField.Max => own[bucket].Max,
                    _ => own[bucket].MaxLength,
                }
                : own.IopsSize;
            Assert.True(value == actual, $"{element.Name.LocalName}: {value} in the XML, {actual} in force");
        }
    }

    [Fact]
    public void AGroupNameAConfigCannotHold_IsAnErrorNamingTheDisk()
    {
        var domain = LibvirtSamples.Load(LibvirtSamples.GroupNum);
        var disk = domain.Root!.Element("devices")!.Elements("disk").First(d => d.Element("iotune")?.Element("group_name") is not null);
        disk.Element("iotune")!.Element("group_name")!.Value = "my group";

        var refused = Assert.Throws<LibvirtImportException>(() => LibvirtImport.Convert(domain, null));
        Assert.Contains("'my group' is not a valid group name", refused.Message);
        Assert.Contains($"disk '{disk.Element("target")!.Attribute("dev")!.Value}'", refused.Message);
    }
}
