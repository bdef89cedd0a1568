namespace ThrottleFs.Control;

/// <summary>
/// The last refused control lines and config edits, newest last, as <c>.throttlefs/errors</c> shows them: a write
/// to <c>control</c> can only fail with EINVAL, so this is where its reason is read.
/// </summary>
internal sealed class ErrorLog(TimeProvider time, int capacity = 100)
{
    private readonly RecentEntries _entries = new(capacity);

    /// <summary>Records a refusal: what was refused, from whom, and why.</summary>
    public void Add(string what, string who, IEnumerable<string> reasons) =>
        _entries.Add($"{time.GetLocalNow():yyyy-MM-dd HH:mm:ss} {who}: refused {what}\n" + string.Concat(reasons.Select(reason => $"  {reason}\n")));

    /// <summary>Every entry kept, oldest first.</summary>
    public override string ToString() => _entries.ToString();
}
