namespace ThrottleFs.Statistics;

/// <summary>
/// Everything a mount's throttles have done, as <c>.throttlefs/stats</c> serves it (JSON, camelCase) and
/// <c>.throttlefs/metrics</c> renders it for Prometheus. Counters only grow while the mount lives, so a reader
/// gets rates from two snapshots and their <see cref="Time"/>.
/// </summary>
/// <param name="Time">When the snapshot was taken.</param>
/// <param name="UptimeSeconds">Seconds since the mount started.</param>
/// <param name="Mount">The mount-wide layer every file passes (its counters stay 0 while it has no limits).</param>
/// <param name="Groups">Every named group, by name.</param>
/// <param name="Files">Every file with a throttle state (open, or closed recently), by path.</param>
internal sealed record MountStatistics(
    DateTimeOffset Time,
    double UptimeSeconds,
    LayerStatistics Mount,
    IReadOnlyList<LayerStatistics> Groups,
    IReadOnlyList<FileStatistics> Files);
