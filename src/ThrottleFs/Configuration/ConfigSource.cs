using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using ThrottleFs.Qos;

namespace ThrottleFs.Configuration;

/// <summary>
/// Where a mount's settings come from, lowest precedence first: the JSON config file (<c>--config</c>, or the bundled
/// default), environment variables prefixed <c>THROTTLEFS_</c> (<c>THROTTLEFS_MOUNT_LIMITS__BPS_TOTAL=100M</c>), then
/// <c>--set KEY=VALUE</c> on the command line; <c>--algorithm</c>, <c>--limit</c> and <c>--mount-limit</c> come
/// last and replace what they name. Loading again (after the file changed) reads every layer afresh.
/// </summary>
/// <param name="ConfigPath">The config file; null for the bundled default.</param>
/// <param name="Settings">Command-line <c>--set</c> values, <c>KEY=VALUE</c> with ':' between sections (<c>groups:vms:iops-total=500</c>).</param>
/// <param name="Algorithm">Command-line <c>--algorithm</c>.</param>
/// <param name="FileLimits">Command-line <c>--limit</c>: replaces <c>file-limits</c>.</param>
/// <param name="MountLimits">Command-line <c>--mount-limit</c>: replaces <c>mount-limits</c>.</param>
internal sealed record ConfigSource(
    string? ConfigPath,
    IReadOnlyList<string> Settings,
    ThrottleAlgorithm? Algorithm = null,
    ThrottleSpec? FileLimits = null,
    ThrottleSpec? MountLimits = null)
{
    /// <summary>The environment variable prefix.</summary>
    public const string EnvironmentPrefix = "THROTTLEFS_";

    /// <summary>The default config shipped next to the executable.</summary>
    public static string BundledPath => Path.Combine(AppContext.BaseDirectory, "throttlefs.json");

    /// <summary>The config file in use.</summary>
    public string FilePath => Path.GetFullPath(ConfigPath ?? BundledPath);

    /// <summary>Reads every layer and checks the result as a whole.</summary>
    /// <exception cref="ConfigException">Lists every problem, each naming its file (or layer) and key.</exception>
    public ThrottleFsSettings Load()
    {
        var path = FilePath;
        if (!File.Exists(path))
        {
            throw new ConfigException(ConfigPath is null
                ? $"{path}: the bundled default config is missing; reinstall, or give one with --config FILE"
                : $"{path}: no such file");
        }

        var badSettings = Settings.Where(setting => setting.IndexOf('=') <= 0).ToList();
        if (badSettings.Count > 0)
        {
            throw new ConfigException(badSettings.Select(s => $"--set '{s}': write KEY=VALUE, e.g. mount-limits:bps-total=100M").ToList());
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}: cannot read: {e.Message}");
        }

        var shape = ConfigShape.Check(bytes, path);
        if (shape.Count > 0)
        {
            throw new ConfigException(shape);
        }

        IConfigurationRoot root;
        try
        {
            using var files = new PhysicalFileProvider(Path.GetDirectoryName(path)!);
            root = new ConfigurationBuilder()
                .Add(new JsonSettingsFile { FileProvider = files, Path = Path.GetFileName(path), Optional = false, ReloadOnChange = false })
                .Add(new EnvironmentSettings())
                .AddCommandLine([.. Settings.Select(setting => "--" + setting)])
                .Build();
        }
        catch (InvalidDataException e)
        {
            throw new ConfigException($"{path}: not valid JSON{Where(e)}: {Reason(e)}");
        }
        catch (IOException e)
        {
            throw new ConfigException($"{path}: cannot read: {e.Message}");
        }

        var settings = SettingsReader.Read(root, path);
        settings = Algorithm is { } algorithm ? settings with { Algorithm = algorithm } : settings;
        settings = FileLimits is { } fileLimits ? settings with { FileLimits = fileLimits } : settings;
        settings = MountLimits is { } mountLimits ? settings with { MountLimits = mountLimits } : settings;
        try
        {
            EffectiveLimits.Resolve(settings, RuntimeOverrides.None);
        }
        catch (ConfigException e)
        {
            throw new ConfigException(e.Errors.Select(error => $"{path}: {error}").ToList());
        }

        return settings;
    }

    // The configuration package wraps the parser's error twice; the innermost one says where (0-based) and what.
    private static string Where(Exception e) =>
        Innermost(e) is JsonException { LineNumber: { } line, BytePositionInLine: { } column }
            ? $" at line {line + 1}, column {column + 1}"
            : "";

    private static string Reason(Exception e)
    {
        // The parser appends "Path: $ | LineNumber: 0 | BytePositionInLine: 4.", which Where has already said.
        var message = Innermost(e).Message;
        foreach (var tail in (string[])[" Path: ", " LineNumber: "])
        {
            var cut = message.IndexOf(tail, StringComparison.Ordinal);
            message = cut > 0 ? message[..cut] : message;
        }

        return message;
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;
}
