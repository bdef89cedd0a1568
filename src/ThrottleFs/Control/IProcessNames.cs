namespace ThrottleFs.Control;

/// <summary>
/// Names the process behind a request, so the log and the errors file can say who changed a limit. Each host
/// provides its own (Linux reads <c>/proc/PID/comm</c>); the core never asks the system itself.
/// </summary>
public interface IProcessNames
{
    /// <summary>The command name of process <paramref name="pid"/>, or null when it is gone or not visible.</summary>
    string? NameOf(uint pid);
}
