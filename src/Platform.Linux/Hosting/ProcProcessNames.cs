using ThrottleFs.Control;

namespace ThrottleFs.Platform.Linux.Hosting;

/// <summary>Process names from <c>/proc/PID/comm</c>, for the log's "uid 1000 pid 4242 (bash)".</summary>
internal sealed class ProcProcessNames : IProcessNames
{
    public string? NameOf(uint pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // the process may be gone already, or not visible to us
        }
    }
}
