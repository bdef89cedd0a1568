using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace ThrottleFs.Configuration;

/// <summary>
/// The config file as a configuration source whose sections know their children. The framework's JSON provider finds
/// a section's children by scanning every key of the file, so reading each entry of a <c>files</c> section of 100,000
/// paths scanned the file 100,000 times and a mount took minutes; here the children are indexed once, when the file
/// is read.
/// </summary>
internal sealed class JsonSettingsFile : JsonConfigurationSource
{
    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new Provider(this);
    }

    private sealed class Provider(JsonSettingsFile source) : JsonConfigurationProvider(source)
    {
        private readonly Dictionary<string, HashSet<string>> _children = new(StringComparer.OrdinalIgnoreCase);

        public override void Load(Stream stream)
        {
            base.Load(stream);
            _children.Clear();
            foreach (var key in Data.Keys)
            {
                var parent = "";
                foreach (var segment in key.Split(ConfigurationPath.KeyDelimiter))
                {
                    if (!_children.TryGetValue(parent, out var children))
                    {
                        _children[parent] = children = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                    }

                    children.Add(segment);
                    parent = parent.Length == 0 ? segment : ConfigurationPath.Combine(parent, segment);
                }
            }
        }

        // As the base class answers, earlier providers' keys and ours sorted together, without the scan.
        public override IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath)
        {
            var keys = new List<string>(earlierKeys);
            if (_children.TryGetValue(parentPath ?? "", out var children))
            {
                keys.AddRange(children);
            }

            keys.Sort(ConfigurationKeyComparer.Instance);
            return keys;
        }
    }
}
