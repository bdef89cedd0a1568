using ThrottleFs.Control;

namespace ThrottleFs.Tests.Control;

/// <summary>Names every process <paramref name="name"/>, so that who made a change reads the same on any OS.</summary>
internal sealed class FixedProcessNames(string name) : IProcessNames
{
    public string? NameOf(uint pid) => name;

    public string? ExecutableOf(uint pid) => name;
}
