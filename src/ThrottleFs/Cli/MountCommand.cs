using System.CommandLine;
using ThrottleFs.Configuration;
using ThrottleFs.Hosting;
using ThrottleFs.Qos;

namespace ThrottleFs.Cli;

/// <summary><c>throttlefs mount SOURCE MOUNTPOINT</c>.</summary>
internal static class MountCommand
{
    public static Command Create(IMountHost host, TextWriter error)
    {
        var source = new Argument<string>("SOURCE") { Description = "The directory to mirror, or a single file such as a disk image." };
        var mountPoint = new Argument<string>("MOUNTPOINT") { Description = "Where to mount: an existing empty directory (or, for a file SOURCE, a file); on Windows also a free drive letter (T:)." };
        var config = new Option<string?>("--config", "-c")
        {
            Description = "JSON config file: limits, groups, path rules, logging. Watched: edits apply live (an invalid edit is " +
                          "refused and logged, the old limits stay). Default: the bundled throttlefs.json (see README, \"Configuration\").",
            HelpName = "FILE",
        };
        var set = new Option<string[]>("--set", "-s")
        {
            Description = "Override one config key, sections joined by ':' (repeatable): --set mount-limits:bps-total=200M --set logging:level=Debug.",
            HelpName = "KEY=VALUE",
            AllowMultipleArgumentsPerToken = false,
        };
        var limit = new Option<string?>("--limit")
        {
            Description = "Limits every file gets for its own, replacing the config's file-limits. QEMU or libvirt names: " +
                          "iops-total=100,iops-total-max=2000,bps-read=10M,iops-size=4K (K/M/G/T are powers of 1024; \"\" for none). " +
                          "Over the limit: action=police, queue-depth=8, max-wait=250ms, over-limit-error=EIO; a slow disk: latency-read=20ms. " +
                          "README \"Limits\" lists every key.",
            HelpName = "SPEC",
        };
        var mountLimit = new Option<string?>("--mount-limit")
        {
            Description = "Limits all files share, replacing the config's mount-limits; same SPEC syntax as --limit.",
            HelpName = "SPEC",
        };
        var algorithm = new Option<string?>("--algorithm")
        {
            Description = "Bucket algorithm of every limit that does not name its own: leaky (QEMU, default) or token (librbd).",
            HelpName = "leaky|token",
        };
        var extraOptions = new Option<string[]>("-o")
        {
            Description = "Mount options, comma-separated, as mount(8) and /etc/fstab give them: ThrottleFs's own (config=FILE, limit=SPEC, " +
                          "mount-limit=SPEC, algorithm=NAME, set=KEY=VALUE, page-cache, transport=auto|uring|dev; the keys of a SPEC separated by ':' instead of ',', " +
                          "e.g. limit=iops-total=500:bps-total=100M), the kernel's (ro, noexec, allow_other, ...), and mount(8)'s own " +
                          "(nofail, noauto, _netdev, x-systemd.*), which are ignored. Anything else is refused.",
            HelpName = "OPTIONS",
            AllowMultipleArgumentsPerToken = false,
        };
        var metricsListen = new Option<string?>("--metrics-listen")
        {
            Description = "Serve /metrics over HTTP for Prometheus at HOST:PORT (PORT alone: loopback; 0.0.0.0:PORT: every address). " +
                          "The same as the config's metrics-listen.",
            HelpName = "HOST:PORT",
        };
        var foreground = new Option<bool>("--foreground", "-f") { Description = "Stay in the foreground; Ctrl-C unmounts." };
        var trace = new Option<bool>("--trace")
        {
            Description = "Log every request and reply (slow; for debugging): to standard error with --foreground, otherwise to the daemon's log.",
        };
        var pageCache = new Option<bool>("--page-cache")
        {
            Description = "Linux: let the kernel cache file data. Faster for re-read data, but reads served from the cache never reach " +
                          "the throttle, so the limits then apply only to cache misses. Off by default: every read and write is throttled. " +
                          "Windows keeps no such cache, so there it changes nothing.",
        };

        var transport = new Option<string?>("--transport")
        {
            Description = "Linux: how requests travel between the kernel and the daemon. auto (default): io_uring queues, one per CPU, when the " +
                          "kernel offers them (Linux 6.14+ with /sys/module/fuse/parameters/enable_uring set to Y), otherwise /dev/fuse; " +
                          "uring: the same, with a warning when it falls back; dev: always /dev/fuse. io_uring answers one request at a " +
                          "time faster (about 1.4x): its threads poll briefly while requests come back to back, which costs CPU only then.",
            HelpName = "auto|uring|dev",
        };

        var command = new Command("mount", "Mount SOURCE at MOUNTPOINT with every read and write throttled. Returns once the mount is ready; a daemon keeps serving it until 'throttlefs unmount'.")
        {
            source, mountPoint, config, set, limit, mountLimit, algorithm, extraOptions, metricsListen, foreground, trace, pageCache, transport,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var words = MountOptionWords.Parse(result.GetValue(extraOptions) ?? []);
            if (!TryReadConfig(result, words, error, out var configSource, out var settings, out var kernelTransport))
            {
                return Task.FromResult(ExitCodes.Usage);
            }

            var options = new MountOptions(configSource, settings)
            {
                Source = Path.GetFullPath(result.GetValue(source)!),
                MountPoint = host.FullMountPoint(result.GetValue(mountPoint)!),
                ExtraOptions = words.Platform,
                Foreground = result.GetValue(foreground),
                Trace = result.GetValue(trace),
                PageCache = result.GetValue(pageCache) || words.PageCache,
                Transport = kernelTransport,
            };
            if (!File.Exists(options.Source) && !Directory.Exists(options.Source))
            {
                error.WriteLine($"throttlefs: source '{options.Source}' does not exist.");
                return Task.FromResult(ExitCodes.Failure);
            }

            return Task.FromResult(host.Mount(options, error, cancellationToken));
        });
        return command;

        bool TryReadConfig(ParseResult result, MountOptionWords words, TextWriter error, out ConfigSource configSource, out ThrottleFsSettings settings, out KernelTransport kernelTransport)
        {
            (configSource, settings, kernelTransport) = (null!, null!, KernelTransport.Auto);
            var problems = new List<string>(words.Problems);

            // -o config=FILE is --config FILE, and so on: one or the other, not both.
            string? Either(string flag, string? given, string? word)
            {
                if (given is not null && word is not null)
                {
                    problems.Add($"{flag} and -o {flag[2..]}= both given; give one");
                }

                return given ?? word;
            }

            var algorithmName = Either("--algorithm", result.GetValue(algorithm), words.Algorithm);
            var configPath = Either("--config", result.GetValue(config), words.Config);
            var limitText = Either("--limit", result.GetValue(limit), words.Limit);
            var mountLimitText = Either("--mount-limit", result.GetValue(mountLimit), words.MountLimit);
            switch (Either("--transport", result.GetValue(transport), words.Transport))
            {
                case null or "auto":
                    break;
                case "uring":
                    kernelTransport = KernelTransport.Uring;
                    break;
                case "dev":
                    kernelTransport = KernelTransport.Dev;
                    break;
                case var other:
                    problems.Add($"--transport {other}: not a transport; give auto, uring or dev");
                    break;
            }

            // The same words as the SPEC key algorithm=, with the same message for a wrong one.
            var chosen = algorithmName is { } name ? Spec("--algorithm", $"algorithm={name}", problems)?.ApplyTo(ThrottleConfig.Unlimited).Algorithm : null;
            var fileLimits = Spec("--limit", limitText, problems);
            var mountLimits = Spec("--mount-limit", mountLimitText, problems);
            if (problems.Count == 0)
            {
                var listen = Either("--metrics-listen", result.GetValue(metricsListen), words.MetricsListen);
                configSource = new ConfigSource(
                    configPath, [.. result.GetValue(set) ?? [], .. words.Set, .. listen is null ? [] : (string[])[$"metrics-listen={listen}"]], chosen, fileLimits, mountLimits);
                try
                {
                    settings = configSource.Load();
                }
                catch (ConfigException e)
                {
                    problems.AddRange(e.Errors);
                }
            }

            foreach (var problem in problems)
            {
                error.WriteLine($"throttlefs: {problem}");
            }

            return problems.Count == 0;
        }
    }

    internal static ThrottleSpec? Spec(string option, string? text, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            var spec = ThrottleSpec.Parse(text);
            spec.ApplyTo(ThrottleConfig.Unlimited).EnsureValid(); // its own errors, named by its option
            return spec;
        }
        catch (ThrottleConfigException e)
        {
            // A message that starts with the option's own name (--algorithm: "algorithm: ...") names it once.
            var own = option[2..] + ": ";
            problems.AddRange(e.Errors.Select(problem => $"{option}: {(problem.StartsWith(own, StringComparison.Ordinal) ? problem[own.Length..] : problem)}"));
            return null;
        }
    }
}
