namespace ThrottleFs.Statistics;

/// <summary>
/// One file's throttle state. Its counters are end to end: a request counts as throttled, and its wait is measured,
/// across every layer it passed (its own, its group's, the mount's).
/// </summary>
/// <param name="Path">Path relative to the mount root, as it was opened.</param>
/// <param name="Opens">Open handles now (0: closed, state kept for a while).</param>
/// <param name="Limits">The file's own limits as a SPEC; empty when it has none.</param>
/// <param name="Group">The group the file is in, or null.</param>
/// <param name="Read">Reads of this file.</param>
/// <param name="Write">Writes to this file.</param>
/// <param name="Buckets">The file's own enabled buckets.</param>
internal sealed record FileStatistics(
    string Path,
    int Opens,
    string Limits,
    string? Group,
    DirectionSnapshot Read,
    DirectionSnapshot Write,
    IReadOnlyList<BucketSnapshot> Buckets);
