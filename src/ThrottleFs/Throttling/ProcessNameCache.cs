using ThrottleFs.Control;

namespace ThrottleFs.Throttling;

/// <summary>
/// Executable names by process id, for rules that name programs: asked of the system once per process and kept a
/// few seconds, so a program opening thousands of files costs one lookup, while a reused process id, or a shell
/// that became another program (<c>exec</c>), is seen for what it is soon after. Never asked per read or write.
/// </summary>
internal sealed class ProcessNameCache(IProcessNames names, TimeProvider time)
{
    /// <summary>How long a name is trusted.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private const int Capacity = 4096;
    private readonly Lock _lock = new();
    private readonly Dictionary<uint, (string? Name, long At)> _names = [];

    /// <summary>The executable's file name of process <paramref name="pid"/>, or null when it is gone or hidden.</summary>
    public string? ExecutableOf(uint pid)
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            if (_names.TryGetValue(pid, out var known) && time.GetElapsedTime(known.At, now) < Lifetime)
            {
                return known.Name;
            }
        }

        var name = names.ExecutableOf(pid);
        lock (_lock)
        {
            if (_names.Count >= Capacity)
            {
                _names.Clear(); // thousands of processes in a few seconds: starting over costs one lookup each
            }

            _names[pid] = (name, now);
        }

        return name;
    }
}
