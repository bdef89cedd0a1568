using System.CommandLine;
using ThrottleFs.Configuration;
using ThrottleFs.Throttling;

namespace ThrottleFs.Cli;

/// <summary><c>throttlefs validate CONFIG</c>: the checks a mount or a reload would make, without mounting.</summary>
internal static class ValidateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var config = new Argument<string>("CONFIG") { Description = "A ThrottleFs JSON config file." };
        var command = new Command(
            "validate",
            "Check a config file as a mount or a live reload would (with THROTTLEFS_* environment variables applied), " +
            "and list every problem by file, key and reason. Exit code 0: valid; 1: invalid or unreadable.")
        {
            config,
        };
        command.SetAction(result =>
        {
            var path = Path.GetFullPath(result.GetValue(config)!);
            try
            {
                var settings = new ConfigSource(path, []).Load();
                var limits = EffectiveLimits.Resolve(settings, RuntimeOverrides.None);
                output.WriteLine($"{path}: valid.");
                output.WriteLine($"  file limits:  {limits.FileDefault.Summary} ({settings.Algorithm.ToString().ToLowerInvariant()}, on change {settings.OnChange.ToString().ToLowerInvariant()})");
                output.WriteLine($"  mount limits: {limits.Mount.Summary}");
                foreach (var (name, group) in limits.Groups)
                {
                    output.WriteLine($"  group {name}: {group.Summary}{(limits.PerOf(name) is { } per ? $" (per {per.Word()})" : "")}");
                }

                foreach (var rule in settings.Rules)
                {
                    output.WriteLine($"  rule {rule}: {(rule.Limits.IsEmpty ? "" : rule.Limits + " ")}{(rule.Group is { Length: > 0 } g ? "group " + g : "")}".TrimEnd());
                }

                foreach (var (file, entry) in settings.Files)
                {
                    output.WriteLine($"  file {file}: {(entry.Limits.IsEmpty ? "" : entry.Limits + " ")}{(entry.Group is { } g ? "group " + (g.Length == 0 ? "(none)" : g) : "")}".TrimEnd());
                }

                return ExitCodes.Success;
            }
            catch (ConfigException e)
            {
                foreach (var problem in e.Errors)
                {
                    error.WriteLine($"throttlefs: {problem}");
                }

                error.WriteLine($"throttlefs: {path} is not valid ({e.Errors.Count} problem{(e.Errors.Count == 1 ? "" : "s")}).");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

}
