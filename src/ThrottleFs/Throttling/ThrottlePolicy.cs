using ThrottleFs.Qos;

namespace ThrottleFs.Throttling;

/// <summary>
/// Which throttle layers a file's reads and writes pass: its own buckets with the per-file limits, then the
/// mount-wide buckets every file shares. A layer with no limits is left out of the chain, so an unthrottled mount
/// costs nothing per request. A file's layers live while it is open.
/// </summary>
public sealed class ThrottlePolicy : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, FileThrottle> _files = [];
    private readonly TimeProvider _time;

    /// <summary>Creates the policy.</summary>
    /// <param name="fileLimits">Limits each file gets for its own (<c>--limit</c>).</param>
    /// <param name="mountLimits">Limits all files share (<c>--mount-limit</c>).</param>
    /// <param name="timeProvider">The clock; the system's when null.</param>
    public ThrottlePolicy(ThrottleConfig fileLimits, ThrottleConfig mountLimits, TimeProvider? timeProvider = null)
    {
        FileLimits = fileLimits.EnsureValid();
        _time = timeProvider ?? TimeProvider.System;
        Mount = new ThrottleGroup("mount", mountLimits, _time);
    }

    /// <summary>The per-file limits.</summary>
    public ThrottleConfig FileLimits { get; }

    /// <summary>The mount-wide group.</summary>
    public ThrottleGroup Mount { get; }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var file in _files.Values)
            {
                file.Dispose();
            }

            _files.Clear();
        }

        Mount.Dispose();
    }

    internal FileThrottle Open(ulong node, string name)
    {
        lock (_lock)
        {
            if (!_files.TryGetValue(node, out var file))
            {
                var own = FileLimits.IsEnabled ? new ThrottleGroup(name, FileLimits, _time) : null;
                file = new FileThrottle(node, name, own, own?.Join(name), Mount.Config.IsEnabled ? Mount.Join(name) : null);
                _files.Add(node, file);
            }

            file.Opens++;
            return file;
        }
    }

    internal void Close(FileThrottle file)
    {
        lock (_lock)
        {
            if (--file.Opens > 0)
            {
                return;
            }

            _files.Remove(file.Node);
        }

        file.Dispose();
    }
}
