using ThrottleFs.FileSystem;

namespace ThrottleFs.Control;

/// <summary>Names who made a request, for the log: "uid 1000 pid 4242 (bash)".</summary>
public static class Caller
{
    /// <summary>Describes the caller of a request.</summary>
    public static string Describe(in RequestContext context)
    {
        string? command = null;
        try
        {
            command = File.ReadAllText($"/proc/{context.Pid}/comm").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process may be gone already, or not visible to us: the ids say enough.
        }

        return command is { Length: > 0 } ? $"uid {context.Uid} pid {context.Pid} ({command})" : $"uid {context.Uid} pid {context.Pid}";
    }
}
