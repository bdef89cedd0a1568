using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using ThrottleFs.Qos;

namespace ThrottleFs.Configuration;

/// <summary>
/// <c>THROTTLEFS_*</c> environment variables as settings. Shells cannot put '-' in a variable name, so the names are
/// brought to the config file's spelling before they are layered over it: <c>THROTTLEFS_MOUNT_LIMITS__BPS_TOTAL</c>
/// becomes <c>mount-limits:bps-total</c>, and overrides that key of the file instead of standing beside it.
/// </summary>
internal sealed class EnvironmentSettings : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider();

    private sealed class Provider() : EnvironmentVariablesConfigurationProvider(ConfigSource.EnvironmentPrefix)
    {
        public override void Load()
        {
            base.Load();
            Data = Data.ToDictionary(pair => Spell(pair.Key), pair => pair.Value, StringComparer.OrdinalIgnoreCase);
        }

        // The first section is a setting name, the last may be a limit key; group names in between stay as given.
        private static string Spell(string key)
        {
            var parts = key.Split(ConfigurationPath.KeyDelimiter);
            parts[0] = parts[0].ToLowerInvariant().Replace('_', '-');
            if (parts.Length > 1 && ThrottleKeys.TryFind(parts[^1], out var limit))
            {
                parts[^1] = limit.Name;
            }

            return ConfigurationPath.Combine(parts);
        }
    }
}
