using ThrottleFs.FileSystem;

namespace ThrottleFs.Control;

/// <summary>Names who made a request, for the log: "uid 1000 pid 4242 (bash)".</summary>
internal static class Caller
{
    /// <summary>Describes the caller of a request; without a process name, the ids say enough.</summary>
    public static string Describe(in RequestContext context, IProcessNames processes) =>
        processes.NameOf(context.Pid) is { Length: > 0 } command
            ? $"uid {context.Uid} pid {context.Pid} ({command})"
            : $"uid {context.Uid} pid {context.Pid}";
}
