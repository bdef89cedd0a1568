using System.Text.Json.Nodes;

namespace ThrottleFs.Configuration;

/// <summary>What <see cref="LibvirtImport.Convert"/> made of a libvirt domain.</summary>
/// <param name="Config">
/// The ThrottleFs config: <c>groups</c> (name → limits) and <c>rules</c> (one per imported disk, in the domain's
/// disk order), limits under their canonical QEMU names.
/// </param>
/// <param name="Warnings">
/// One sentence per thing the config does not carry over exactly (a skipped disk, a dropped chained filter, an
/// unknown element, ...), each naming the disk or group it concerns; empty when the conversion is exact.
/// </param>
internal sealed record LibvirtImportResult(JsonObject Config, IReadOnlyList<string> Warnings);
