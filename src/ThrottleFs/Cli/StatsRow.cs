namespace ThrottleFs.Cli;

/// <summary>
/// One line of the <c>throttlefs stats</c> table in numbers, before it is formatted: what the mount, a group or a file
/// did over the interval between two snapshots.
/// </summary>
/// <param name="Name">The file's path, the group's name, or <c>mount</c>.</param>
/// <param name="Kind"><c>file</c>, <c>group</c> or <c>mount</c>.</param>
/// <param name="ReadOpsPerSecond">Reads admitted per second over the interval.</param>
/// <param name="ReadBytesPerSecond">Bytes read per second over the interval.</param>
/// <param name="WriteOpsPerSecond">Writes admitted per second over the interval.</param>
/// <param name="WriteBytesPerSecond">Bytes written per second over the interval.</param>
/// <param name="Limits">The limits SPEC in force; empty when none.</param>
/// <param name="ThrottledPercent">Share of the interval's requests (reads and writes) that waited, 0 to 100; null without requests.</param>
/// <param name="WaitP99Ms">The larger of the read and write 99th percentile waits, ms (since the file or layer was created).</param>
/// <param name="BurstSecondsLeft">The least burst time left over the buckets that have a burst; null when none has.</param>
/// <param name="QueueDepth">Requests waiting now, reads and writes.</param>
/// <param name="RefusedPerSecond">Requests refused per second over the interval (policed, queue full, timed out), reads and writes.</param>
internal sealed record StatsRow(
    string Name,
    string Kind,
    double ReadOpsPerSecond,
    double ReadBytesPerSecond,
    double WriteOpsPerSecond,
    double WriteBytesPerSecond,
    string Limits,
    double? ThrottledPercent,
    double WaitP99Ms,
    double? BurstSecondsLeft,
    int QueueDepth,
    double RefusedPerSecond = 0);
