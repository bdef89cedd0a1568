namespace ThrottleFs.Control;

/// <summary>
/// Names the process behind a request, so the log and the errors file can say who changed a limit, and rules can
/// name programs. Each host provides its own (Linux reads <c>/proc/PID</c>); the core never asks the system itself.
/// </summary>
public interface IProcessNames
{
    /// <summary>The command name of process <paramref name="pid"/>, or null when it is gone or not visible.</summary>
    string? NameOf(uint pid);

    /// <summary>
    /// The file name of process <paramref name="pid"/>'s executable, without its directory (<c>qemu-system-x86_64</c>,
    /// not the command name the system may shorten), or null when it is gone or not visible.
    /// </summary>
    string? ExecutableOf(uint pid);
}
