namespace ThrottleFs.Configuration;

/// <summary>
/// Calls back when a config file changes: written in place, or replaced by a rename as editors save. Watches the
/// directory rather than the file, so a replaced file is still seen, and waits for the writes to settle, so a save
/// in several writes is read once, whole. Once <see cref="Dispose"/> returns, no callback runs or is still running,
/// so what the callback uses may be disposed next.
/// </summary>
internal sealed class ConfigWatcher : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);
    private readonly FileSystemWatcher _watcher;
    private readonly Timer _timer;
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>Starts watching <paramref name="path"/>; <paramref name="changed"/> runs on a pool thread.</summary>
    public ConfigWatcher(string path, Action changed)
    {
        _timer = new Timer(_ =>
        {
            lock (_lock)
            {
                if (!_disposed)
                {
                    changed();
                }
            }
        });
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
        lock (_lock)
        {
            _disposed = true; // a callback running now has finished; none starts after this
        }

        _timer.Dispose();
    }

    private void Restart()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _timer.Change(Settle, Timeout.InfiniteTimeSpan);
            }
        }
    }
}
