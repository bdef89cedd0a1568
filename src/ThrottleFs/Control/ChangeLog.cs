using ThrottleFs.Configuration;

namespace ThrottleFs.Control;

/// <summary>
/// The last accepted changes, newest last, as <c>.throttlefs/changes</c> shows them: each line as it was applied, by
/// whom, and what it left in force (<see cref="ChangeOutcome"/>). A write to <c>control</c> says only that it was
/// accepted; this is where its outcome is read, and what <c>throttlefs set</c> prints.
/// </summary>
internal sealed class ChangeLog(TimeProvider time, int capacity = 100)
{
    private readonly RecentEntries _entries = new(capacity);

    /// <summary>Records an accepted change.</summary>
    public void Add(string change, string who, ChangeOutcome outcome) =>
        _entries.Add($"{time.GetLocalNow():yyyy-MM-dd HH:mm:ss} {who}: {change}\n" +
                     string.Concat(outcome.ToString().Split('\n').Select(line => $"  {line.TrimStart()}\n")));

    /// <summary>Every entry kept, oldest first.</summary>
    public override string ToString() => _entries.ToString();
}
