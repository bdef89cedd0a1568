using System.Globalization;
using ThrottleFs.Configuration;
using ThrottleFs.Qos;
using ThrottleFs.Tracing;

namespace ThrottleFs.Simulation;

/// <summary>
/// A recorded workload read from fio's iolog version 3: what <c>throttlefs trace</c> writes (with its wait and
/// service columns) or what <c>fio --write_iolog</c> wrote anywhere (without them). Requests are in order of arrival.
/// </summary>
internal sealed class IoTrace
{
    private IoTrace(string[] files, TraceRequest[] requests, int skipped)
    {
        Files = files;
        Requests = requests;
        Skipped = skipped;
    }

    /// <summary>The files, as paths relative to the mount root (what limits and rules name).</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The reads and writes, by arrival (recorded order for equal times).</summary>
    public TraceRequest[] Requests { get; }

    /// <summary>Lines of other actions (sync, trim, ...), which pass no throttle and are not simulated.</summary>
    public int Skipped { get; }

    /// <summary>From the first arrival to the last request done, as recorded.</summary>
    public long DurationNs => Requests.Length == 0 ? 0 : Requests.Max(request => request.DoneNs) - Requests[0].ArrivalNs;

    /// <summary>A trace from requests already in memory (tests, and traces built by code).</summary>
    public static IoTrace From(IReadOnlyList<string> files, IEnumerable<TraceRequest> requests) =>
        new([.. files], [.. requests.OrderBy(request => request.ArrivalNs)], 0);

    /// <summary>
    /// Reads a trace file. Names are taken relative to <paramref name="root"/> when given (a trace fio wrote names
    /// absolute paths: <c>--root /mnt/vms</c> makes <c>/mnt/vms/images/a.img</c> the <c>images/a.img</c> rules name);
    /// names outside it, and absolute names without it, keep their path without the leading slash.
    /// </summary>
    /// <exception cref="ConfigException">The file is not a version 3 iolog; the message names the line and the problem.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static IoTrace Read(string path, string? root = null)
    {
        using var reader = new StreamReader(path);
        var header = reader.ReadLine();
        if (header is null || header.Trim() != IoLogWriter.Header)
        {
            throw new ConfigException(header?.Trim() switch
            {
                "fio version 2 iolog" => $"{path} is a version 2 iolog, which has no timestamps; record it again with fio 3.31 or later (its write_iolog writes version 3) or with 'throttlefs trace'",
                _ => $"{path} is not a trace: its first line should be '{IoLogWriter.Header}' (fio's iolog version 3, as 'throttlefs trace' and 'fio --write_iolog' write)",
            });
        }

        var prefix = root is null ? null : Path.TrimEndingDirectorySeparator(root) + "/";
        var files = new List<string>();
        var fileIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var requests = new List<TraceRequest>();
        var skipped = 0;
        var number = 1;
        var sorted = true;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            number++;
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (words.Length == 0)
            {
                continue;
            }

            if (words.Length < 3 || !long.TryParse(words[0], NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds))
            {
                throw Bad(path, number, line, "expected 'TIMESTAMP FILE ACTION [OFFSET LENGTH]' with the timestamp in microseconds");
            }

            var direction = words[2] switch
            {
                "read" => ThrottleDirection.Read,
                "write" => ThrottleDirection.Write,
                _ => (ThrottleDirection?)null,
            };
            if (direction is null)
            {
                if (words[2] is not ("add" or "open" or "close"))
                {
                    skipped++;
                }

                continue;
            }

            if (words.Length < 5 ||
                !long.TryParse(words[3], NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ||
                !int.TryParse(words[4], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                throw Bad(path, number, line, $"a {words[2]} needs an OFFSET and a LENGTH in bytes");
            }

            long waitUs = 0, serviceUs = 0;
            if (words.Length >= 7 &&
                (!long.TryParse(words[5], NumberStyles.None, CultureInfo.InvariantCulture, out waitUs) ||
                 !long.TryParse(words[6], NumberStyles.None, CultureInfo.InvariantCulture, out serviceUs)))
            {
                throw Bad(path, number, line, "the wait and service columns are microseconds");
            }

            string name;
            try
            {
                name = Relative(TraceNames.Read(words[1]), prefix);
            }
            catch (FormatException e)
            {
                throw Bad(path, number, line, e.Message);
            }

            if (!fileIndex.TryGetValue(name, out var file))
            {
                file = files.Count;
                files.Add(name);
                fileIndex.Add(name, file);
            }

            var request = new TraceRequest(file, direction.Value, offset, length, microseconds * 1000, waitUs * 1000, serviceUs * 1000);
            sorted &= requests.Count == 0 || requests[^1].ArrivalNs <= request.ArrivalNs;
            requests.Add(request);
        }

        // A request that waited long is written after later arrivals; OrderBy is stable, so equal times keep their order.
        TraceRequest[] array = sorted ? [.. requests] : [.. requests.OrderBy(request => request.ArrivalNs)];
        return new IoTrace([.. files], array, skipped);
    }

    private static string Relative(string name, string? prefix)
    {
        if (prefix is not null && name.StartsWith(prefix, StringComparison.Ordinal))
        {
            name = name[prefix.Length..];
        }

        return MountPath.Normalize(name);
    }

    private static ConfigException Bad(string path, int number, string line, string problem) =>
        new($"{path} line {number}: {problem}: '{(line.Length > 120 ? line[..120] + "…" : line)}'");
}
