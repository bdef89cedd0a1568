namespace ThrottleFs.Configuration;

/// <summary>
/// Calls back when a config file changes: written in place, or replaced by a rename as editors save. Watches the
/// directory rather than the file, so a replaced file is still seen, and waits for the writes to settle, so a save
/// in several writes is read once, whole.
/// </summary>
internal sealed class ConfigWatcher : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);
    private readonly FileSystemWatcher _watcher;
    private readonly Timer _timer;

    /// <summary>Starts watching <paramref name="path"/>; <paramref name="changed"/> runs on a pool thread.</summary>
    public ConfigWatcher(string path, Action changed)
    {
        _timer = new Timer(_ => changed());
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => Restart();
        _watcher.Created += (_, _) => Restart();
        _watcher.Renamed += (_, _) => Restart();
        _watcher.EnableRaisingEvents = true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _watcher.Dispose();
        _timer.Dispose();
    }

    private void Restart() => _timer.Change(Settle, Timeout.InfiniteTimeSpan);
}
