namespace ThrottleFs.Control;

/// <summary>The last <paramref name="capacity"/> entries of a log a control file shows, oldest first. Thread-safe.</summary>
internal sealed class RecentEntries(int capacity)
{
    private readonly Queue<string> _entries = new();

    public void Add(string entry)
    {
        lock (_entries)
        {
            _entries.Enqueue(entry);
            if (_entries.Count > capacity)
            {
                _entries.Dequeue();
            }
        }
    }

    public override string ToString()
    {
        lock (_entries)
        {
            return string.Concat(_entries);
        }
    }
}
