using System.Text.Json;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>Runs fio with JSON output and reads back what it did.</summary>
internal static class Fio
{
    public sealed record Outcome(long ReadIos, long WriteIos, double ReadIops, double WriteIops, int Errors, string Raw)
    {
        /// <summary>Each job's own numbers (a job with --numjobs=N is summed over its N copies).</summary>
        public IReadOnlyDictionary<string, Outcome> Jobs { get; init; } = new Dictionary<string, Outcome>();

        /// <summary>Completion latency percentiles of the first job's reads and writes, in nanoseconds, by percentile (50.0, 99.0, ...), with its minimum as 0.0.</summary>
        public IReadOnlyDictionary<double, long> ReadLatencyNs { get; init; } = new Dictionary<double, long>();

        public IReadOnlyDictionary<double, long> WriteLatencyNs { get; init; } = new Dictionary<double, long>();

        /// <summary>With --continue_on_error: how many requests of the first job failed, and the errno of the first.</summary>
        public long FailedIos { get; init; }

        public int FirstErrno { get; init; }

        /// <summary>How long the first job ran, from its first request to its last done, in milliseconds.</summary>
        public long RuntimeMs { get; init; }

        public Outcome Job(string name) => Jobs.TryGetValue(name, out var job) ? job : throw new InvalidOperationException($"fio ran no job '{name}': {Raw}");
    }

    public static Outcome Run(params string[] arguments) => RunAs(uid: null, arguments);

    /// <summary>Runs fio as user <paramref name="uid"/> (its group too, no others), or as ourselves when null.</summary>
    public static Outcome RunAs(string? uid, params string[] arguments)
    {
        string[] command = [.. arguments, "--output-format=json"];
        var result = uid is null
            ? Tool.Run("fio", command, TimeSpan.FromMinutes(3))
            : Tool.Run("setpriv", ["--reuid", uid, "--regid", uid, "--clear-groups", "fio", .. command], TimeSpan.FromMinutes(3));
        var json = result.Output;
        var start = json.IndexOf('{'); // fio may print warnings before the JSON
        if (start < 0)
        {
            throw new InvalidOperationException($"fio printed no JSON: {result}");
        }

        using var document = JsonDocument.Parse(json[start..]);
        long readIos = 0, writeIos = 0;
        double readIops = 0, writeIops = 0;
        var errors = 0;
        var jobs = new Dictionary<string, Outcome>();
        foreach (var job in document.RootElement.GetProperty("jobs").EnumerateArray())
        {
            var name = job.GetProperty("jobname").GetString()!;
            var own = new Outcome(
                job.GetProperty("read").GetProperty("total_ios").GetInt64(),
                job.GetProperty("write").GetProperty("total_ios").GetInt64(),
                job.GetProperty("read").GetProperty("iops").GetDouble(),
                job.GetProperty("write").GetProperty("iops").GetDouble(),
                job.GetProperty("error").GetInt32(),
                "");
            jobs[name] = jobs.TryGetValue(name, out var earlier)
                ? earlier with { ReadIos = earlier.ReadIos + own.ReadIos, WriteIos = earlier.WriteIos + own.WriteIos, ReadIops = earlier.ReadIops + own.ReadIops, WriteIops = earlier.WriteIops + own.WriteIops, Errors = earlier.Errors + own.Errors }
                : own;
            readIos += job.GetProperty("read").GetProperty("total_ios").GetInt64();
            writeIos += job.GetProperty("write").GetProperty("total_ios").GetInt64();
            readIops += job.GetProperty("read").GetProperty("iops").GetDouble();
            writeIops += job.GetProperty("write").GetProperty("iops").GetDouble();
            errors += job.GetProperty("error").GetInt32();
        }

        var first = document.RootElement.GetProperty("jobs")[0];
        return new Outcome(readIos, writeIos, readIops, writeIops, errors + (result.ExitCode == 0 ? 0 : 1), result.ToString())
        {
            Jobs = jobs,
            FailedIos = first.TryGetProperty("total_err", out var failed) ? failed.GetInt64() : 0,
            FirstErrno = first.TryGetProperty("first_error", out var firstError) ? firstError.GetInt32() : 0,
            RuntimeMs = first.GetProperty("job_runtime").GetInt64(),
            ReadLatencyNs = Percentiles(first.GetProperty("read")),
            WriteLatencyNs = Percentiles(first.GetProperty("write")),
        };
    }

    private static Dictionary<double, long> Percentiles(JsonElement direction)
    {
        var percentiles = new Dictionary<double, long>();
        if (!direction.TryGetProperty("clat_ns", out var clat))
        {
            return percentiles;
        }

        percentiles[0.0] = clat.GetProperty("min").GetInt64();
        if (clat.TryGetProperty("percentile", out var table))
        {
            foreach (var entry in table.EnumerateObject())
            {
                percentiles[double.Parse(entry.Name, System.Globalization.CultureInfo.InvariantCulture)] = entry.Value.GetInt64();
            }
        }

        return percentiles;
    }
}
