using System.Globalization;
using System.Text.RegularExpressions;
using ThrottleFs.Platform.Linux.Tests.Mounts.Faults;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Nodes;

/// <summary>
/// The daemon's Debug line about its nodes, which it writes every 5 s while they change: "Nodes: N known;
/// descriptors: D held (...); managed heap H bytes".
/// </summary>
internal sealed partial record NodeUsageLine(long Nodes, long Descriptors, long HeapBytes)
{
    /// <summary>Waits for the last such line in the log files in <paramref name="logs"/> to satisfy <paramref name="condition"/>.</summary>
    public static NodeUsageLine WaitFor(string logs, Func<NodeUsageLine, bool> condition, TimeSpan timeout)
    {
        NodeUsageLine? last = null;
        Assert.True(
            FaultProbe.WaitUntil(() => (last = Last(logs)) is { } line && condition(line), timeout),
            $"no node usage line as expected in the log within {timeout.TotalSeconds} s; the last: {last}");
        return last!;
    }

    private static NodeUsageLine? Last(string logs)
    {
        var text = string.Concat(Directory.GetFiles(logs, "throttlefs*.log").Order().Select(Read));
        var match = Pattern().Matches(text).LastOrDefault();
        return match is null ? null : new NodeUsageLine(Number(match, 1), Number(match, 2), Number(match, 3));
    }

    private static long Number(Match match, int group) => long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    // The daemon has the file open for writing.
    private static string Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream).ReadToEnd();
    }

    [GeneratedRegex(@"\[DBG\] Nodes: (\d+) known; descriptors: (\d+) held .*; managed heap (\d+) bytes")]
    private static partial Regex Pattern();
}
