using ThrottleFs.Control;

namespace ThrottleFs.Platform.Linux.Hosting;

/// <summary>
/// Process names from <c>/proc</c>: the command name (<c>comm</c>) for the log's "uid 1000 pid 4242 (bash)", and the
/// executable's file name for rules, since the kernel cuts <c>comm</c> to 15 characters (<c>qemu-system-x86</c>).
/// FUSE gives a thread's id, which <c>/proc</c> answers for as well.
/// </summary>
internal sealed class ProcProcessNames : IProcessNames
{
    private const string Deleted = " (deleted)";

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

    public string? ExecutableOf(uint pid)
    {
        try
        {
            // A kernel thread has no executable; an upgraded package leaves the old one running as "... (deleted)".
            var target = new FileInfo($"/proc/{pid}/exe").LinkTarget;
            if (target is null)
            {
                return NameOf(pid);
            }

            return Path.GetFileName(target.EndsWith(Deleted, StringComparison.Ordinal) ? target[..^Deleted.Length] : target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return NameOf(pid);
        }
    }
}
