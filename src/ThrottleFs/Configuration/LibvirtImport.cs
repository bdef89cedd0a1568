using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using ThrottleFs.Qos;

namespace ThrottleFs.Configuration;

/// <summary>
/// Converts the disk limits of a libvirt domain, as <c>virsh dumpxml DOMAIN</c> prints it, into a ThrottleFs config.
/// </summary>
/// <remarks>
/// <para>
/// Every disk with an <c>&lt;iotune&gt;</c> or <c>&lt;throttlefilters&gt;</c> becomes one rule. Its <c>match</c> is
/// the file name of the disk's <c>&lt;source file&gt;</c> (or <c>&lt;source dev&gt;</c>): once the image sits on a
/// ThrottleFs mount, that is the file the guest's I/O reaches. Limits keep their meaning and take their canonical
/// QEMU names, because libvirt hands each element to QEMU as the matching <c>throttling.*</c> option. A value of 0 means "no
/// limit" in libvirt and is left out.
/// </para>
/// <para>
/// <c>&lt;group_name&gt;</c> and the <c>&lt;throttlegroup&gt;</c> a disk's first filter names become groups; only
/// groups some rule uses are written, since a group no file belongs to limits nothing. Whatever cannot be carried
/// over exactly is reported as a warning rather than guessed; a domain that cannot be read at all is an error.
/// </para>
/// </remarks>
internal static class LibvirtImport
{
    /// <summary>Converts the throttled disks of <paramref name="domain"/>, or only the one <paramref name="diskTarget"/> names.</summary>
    /// <param name="domain">A libvirt <c>&lt;domain&gt;</c> document.</param>
    /// <param name="diskTarget">A disk's <c>&lt;target dev&gt;</c> such as <c>vda</c>, or null for every disk.</param>
    /// <returns>The config and the warnings for the user.</returns>
    /// <exception cref="LibvirtImportException">
    /// The document is not a domain; <paramref name="diskTarget"/> names no disk; no (selected) disk has limits, or
    /// none of them could be converted; or a value is not a whole number of at least 0.
    /// </exception>
    public static LibvirtImportResult Convert(XDocument domain, string? diskTarget)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return new Conversion(domain, diskTarget).Run();
    }

    /// <summary>One run of <see cref="Convert"/>: the domain being read and what has been gathered so far.</summary>
    private sealed class Conversion(XDocument domain, string? diskTarget)
    {
        private readonly List<string> _warnings = [];
        private readonly List<string> _errors = [];

        // The groups the config will hold, each with the disk or <throttlegroup> its limits were taken from, so that a
        // second, different definition can name both.
        private readonly Dictionary<string, (Limits Limits, string Origin)> _groups = new(StringComparer.Ordinal);

        // The domain's <throttlegroup>s by name. They are read only once a disk's filter uses them, so a broken group
        // no imported disk uses does not stop the import.
        private readonly Dictionary<string, XElement> _throttleGroups = new(StringComparer.Ordinal);

        private readonly JsonArray _rules = [];
        private readonly Dictionary<string, string> _diskByFileName = new(StringComparer.Ordinal);

        public LibvirtImportResult Run()
        {
            var root = domain.Root;
            if (root is null || root.Name != "domain")
            {
                throw new LibvirtImportException(
                    $"this is not a libvirt domain: the root element is <{root?.Name}>, not <domain> (write the file with 'virsh dumpxml DOMAIN')");
            }

            var domainName = root.Element("name")?.Value ?? "(unnamed)";
            IndexThrottleGroups(root);
            var allDisks = root.Elements("devices").Elements("disk").ToList();
            var disks = allDisks;
            if (diskTarget is not null)
            {
                disks = allDisks.Where(disk => TargetOf(disk) == diskTarget).ToList();
                if (disks.Count == 0)
                {
                    var targets = allDisks.Select(TargetOf).OfType<string>().ToList();
                    throw new LibvirtImportException(targets.Count == 0
                        ? $"domain '{domainName}' has no disk with target '{diskTarget}'; it has no disks at all"
                        : $"domain '{domainName}' has no disk with target '{diskTarget}'; its disks are: {string.Join(", ", targets)}");
                }
            }

            var throttled = disks.Where(IsThrottled).ToList();
            if (throttled.Count == 0)
            {
                throw new LibvirtImportException(diskTarget is null
                    ? $"domain '{domainName}' has no disk with <iotune> or <throttlefilters>, so there are no limits to import"
                    : $"disk '{diskTarget}' of domain '{domainName}' has no <iotune> or <throttlefilters>, so there are no limits to import");
            }

            foreach (var disk in throttled)
            {
                ConvertDisk(disk, LabelOf(disk, allDisks.IndexOf(disk)));
            }

            if (_errors.Count == 0 && _rules.Count == 0)
            {
                _errors.Add("no rule could be written: every disk with limits was skipped (see the warnings)");
            }

            if (_errors.Count > 0)
            {
                throw new LibvirtImportException(_errors, _warnings);
            }

            var groups = new JsonObject();
            foreach (var (name, group) in _groups)
            {
                groups[name] = group.Limits.ToJson();
            }

            return new LibvirtImportResult(new JsonObject { ["groups"] = groups, ["rules"] = _rules }, _warnings);
        }

        private static string? TargetOf(XElement disk) => disk.Element("target")?.Attribute("dev")?.Value;

        private static string LabelOf(XElement disk, int index) =>
            TargetOf(disk) is { } target ? $"disk '{target}'" : $"disk #{(index + 1).ToString(CultureInfo.InvariantCulture)}";

        private static bool IsThrottled(XElement disk) =>
            disk.Element("iotune") is not null || disk.Elements("throttlefilters").Elements("throttlefilter").Any();

        private void IndexThrottleGroups(XElement root)
        {
            var number = 0;
            foreach (var group in root.Elements("throttlegroups").Elements("throttlegroup"))
            {
                number++;
                var name = group.Element("group_name")?.Value.Trim();
                if (string.IsNullOrEmpty(name))
                {
                    _warnings.Add($"<throttlegroup> #{number.ToString(CultureInfo.InvariantCulture)} has no <group_name>; no disk can use it, so it is ignored");
                }
                else if (!_throttleGroups.TryAdd(name, group))
                {
                    _warnings.Add($"<throttlegroup> '{name}' is defined twice; the first definition is used");
                }
            }
        }

        private void ConvertDisk(XElement disk, string label)
        {
            // Network and volume disks (rbd, iscsi, nbd, a pool volume, ...) have no file a ThrottleFs mount could
            // serve, so there is nothing a rule could match.
            var source = disk.Element("source");
            var path = source?.Attribute("file")?.Value ?? source?.Attribute("dev")?.Value;
            var fileName = path?[(path.LastIndexOf('/') + 1)..];
            if (string.IsNullOrEmpty(fileName))
            {
                var type = disk.Attribute("type")?.Value ?? "unknown";
                _warnings.Add($"{label} (type '{type}') has no <source file> or <source dev>, so there is no file on a ThrottleFs mount to match; " +
                              "it is skipped: write the rule for it by hand");
                return;
            }

            var errorsBefore = _errors.Count;
            var ownLimits = Limits.None;
            var groupNames = new List<string>();
            if (disk.Element("iotune") is { } iotune)
            {
                var limits = ReadLimits(iotune, label);
                var groupName = iotune.Element("group_name")?.Value.Trim();
                if (limits.IsEmpty)
                {
                    // QEMU does not throttle such a disk at all, not even through the group it names.
                    _warnings.Add($"{label}: <iotune> sets no limit (every value is 0 or absent, which libvirt reads as no limit), so it is ignored");
                }
                else if (string.IsNullOrEmpty(groupName))
                {
                    ownLimits = limits;
                }
                else
                {
                    DefineGroup(groupName, limits, label);
                    groupNames.Add(groupName);
                }
            }

            foreach (var filter in disk.Elements("throttlefilters").Elements("throttlefilter"))
            {
                var groupName = filter.Attribute("group")?.Value;
                if (string.IsNullOrEmpty(groupName))
                {
                    _errors.Add($"{label}: <throttlefilter> has no group attribute");
                }
                else if (!_throttleGroups.ContainsKey(groupName))
                {
                    _errors.Add($"{label}: <throttlefilter group='{groupName}'> names a group that <throttlegroups> does not define");
                }
                else
                {
                    groupNames.Add(groupName);
                }
            }

            if (groupNames.Count > 0 && !GroupName.IsValid(groupNames[0]))
            {
                // A config or a control line could not name it; renaming it here would quietly split or merge groups.
                _errors.Add($"{label}: {GroupName.Problem(groupNames[0])}; rename the group in the domain and import again");
            }

            if (_errors.Count > errorsBefore || (ownLimits.IsEmpty && groupNames.Count == 0))
            {
                return;
            }

            if (groupNames.Count > 1)
            {
                // libvirt 11.2 chains one throttle filter per group, and a request must pass all of them. A ThrottleFs
                // file has at most one group, and the other groups are shared with other disks, so they cannot be
                // folded into the file's own limits either.
                _warnings.Add($"{label} is throttled by {groupNames.Count.ToString(CultureInfo.InvariantCulture)} groups in a chain ({string.Join(", ", groupNames)}), " +
                              $"but a ThrottleFs file belongs to one group: '{fileName}' joins '{groupNames[0]}' only, " +
                              $"and the limits of {string.Join(", ", groupNames.Skip(1).Select(name => $"'{name}'"))} do not apply to it");
            }

            var rule = new JsonObject { ["match"] = fileName };
            if (groupNames.Count > 0)
            {
                var groupName = groupNames[0];
                if (!_groups.ContainsKey(groupName) && _throttleGroups.TryGetValue(groupName, out var throttleGroup))
                {
                    var limits = ReadLimits(throttleGroup, $"<throttlegroup> '{groupName}'");
                    if (limits.IsEmpty)
                    {
                        _warnings.Add($"<throttlegroup> '{groupName}' sets no limit (every value is 0 or absent), so the files in it are not limited");
                    }

                    DefineGroup(groupName, limits, $"<throttlegroup> '{groupName}'");
                }

                rule["group"] = groupName;
            }

            ownLimits.AddTo(rule);
            _rules.Add(rule);
            WarnAboutMatch(fileName, label);
        }

        private void WarnAboutMatch(string fileName, string label)
        {
            // A match without '/' matches the name at any depth, so the first of two rules with the same name would
            // take both files.
            if (!_diskByFileName.TryAdd(fileName, label))
            {
                _warnings.Add($"{_diskByFileName[fileName]} and {label} both use a file named '{fileName}', and the first rule would match both files: " +
                              "change 'match' to each file's path relative to the mount root");
            }

            if (fileName.AsSpan().IndexOfAny("*?[\\") >= 0)
            {
                _warnings.Add($"the file name of {label}, '{fileName}', contains a character a 'match' glob reads as a pattern (* ? [ \\): " +
                              "check that the rule matches only this file");
            }
        }

        private void DefineGroup(string name, Limits limits, string origin)
        {
            if (_groups.TryGetValue(name, out var earlier) && !earlier.Limits.Equals(limits))
            {
                _warnings.Add($"group '{name}' is given different limits by {earlier.Origin} ({earlier.Limits}) and {origin} ({limits}); " +
                              $"QEMU applies the limits configured last, so those of {origin} are used");
            }

            _groups[name] = (limits, origin);
        }

        /// <summary>Reads the limit elements of an <c>&lt;iotune&gt;</c> or <c>&lt;throttlegroup&gt;</c>.</summary>
        private Limits ReadLimits(XElement element, string owner)
        {
            var values = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var child in element.Elements())
            {
                var name = child.Name.LocalName;
                if (child.Name == "group_name")
                {
                    continue;
                }

                if (!TryFindLibvirtKey(child.Name, out var key))
                {
                    _warnings.Add($"{owner}: <{element.Name.LocalName}> has an element ThrottleFs does not know, <{name}>; it is ignored");
                    continue;
                }

                var text = child.Value.Trim();
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
                {
                    _errors.Add(BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var huge) && huge > 0
                        ? $"{owner}: <{name}> is {text}, more than ThrottleFs can hold ({long.MaxValue.ToString(CultureInfo.InvariantCulture)})"
                        : $"{owner}: <{name}> is '{text}', which is not a whole number");
                }
                else if (value < 0)
                {
                    _errors.Add($"{owner}: <{name}> is {text}; a limit cannot be negative (0 means no limit)");
                }
                else if (value != 0)
                {
                    values[key.Name] = value;
                }
            }

            return new Limits(values);
        }

        /// <summary>
        /// Finds the key of an <c>&lt;iotune&gt;</c> element. ThrottleKeys also knows the QEMU and QMP spellings
        /// (<c>iops-total</c>, <c>iops</c>) and ignores case, but libvirt reads only its own names, exactly as
        /// written, and ignores anything else: an <c>&lt;iops&gt;</c> limits nothing there, so it must not here.
        /// Every libvirt limit name, and no QEMU or QMP one, contains <c>_sec</c>.
        /// </summary>
        private static bool TryFindLibvirtKey(XName name, out ThrottleKey key) =>
            ThrottleKeys.TryFind(name.LocalName, out key) &&
            name.NamespaceName.Length == 0 &&
            name.LocalName.Contains("_sec", StringComparison.Ordinal) &&
            key.Aliases.Contains(name.LocalName, StringComparer.Ordinal);
    }

    /// <summary>The non-zero limits of one <c>&lt;iotune&gt;</c> or group, by canonical key name.</summary>
    private sealed class Limits(IReadOnlyDictionary<string, long> values) : IEquatable<Limits>
    {
        public static Limits None { get; } = new(new Dictionary<string, long>());

        public bool IsEmpty => values.Count == 0;

        public JsonObject ToJson()
        {
            var json = new JsonObject();
            AddTo(json);
            return json;
        }

        /// <summary>Adds the limits to a rule or group, in the order ThrottleKeys documents them.</summary>
        public void AddTo(JsonObject json)
        {
            foreach (var key in ThrottleKeys.All)
            {
                if (values.TryGetValue(key.Name, out var value))
                {
                    json[key.Name] = value;
                }
            }
        }

        public bool Equals(Limits? other) =>
            other is not null && other.Count == values.Count &&
            values.All(pair => other.TryGetValue(pair.Key, out var value) && value == pair.Value);

        public override bool Equals(object? obj) => Equals(obj as Limits);

        public override int GetHashCode() => values.Count;

        /// <summary>The limits as a SPEC, e.g. <c>bps-total=5000,iops-total=6000</c>, or <c>no limit</c>.</summary>
        public override string ToString() => IsEmpty
            ? "no limit"
            : string.Join(",", ThrottleKeys.All
                .Where(key => values.ContainsKey(key.Name))
                .Select(key => $"{key.Name}={values[key.Name].ToString(CultureInfo.InvariantCulture)}"));

        private int Count => values.Count;

        private bool TryGetValue(string name, out long value) => values.TryGetValue(name, out value);
    }
}
