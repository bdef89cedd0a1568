using System.Security.Cryptography;
using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Posix;

/// <summary>
/// One run of a sequence in one directory. Each method makes one libc call (or a few, for the read/write-a-file
/// helpers), writes "call → outcome" into <see cref="Steps"/>, and checks the outcome against what the sequence
/// expects (success unless told otherwise; null accepts anything) so a premise that is wrong on the backing
/// store itself is reported as such rather than as a mount bug.
/// </summary>
/// <remarks>
/// This file holds the transcript and its recording; the calls are grouped by what they act on, one file each:
/// file data (<c>PosixSession.FileData.cs</c>), names and directories (<c>.Names</c>), attributes and stat
/// (<c>.Attributes</c>), extended attributes (<c>.ExtendedAttributes</c>).
/// </remarks>
internal sealed partial class PosixSession(string root, string backingRoot)
{
    private readonly List<int> _descriptors = [];

    public List<PosixStep> Steps { get; } = [];

    public List<string> Surprises { get; } = [];

    public string PathOf(string name) => name == "." ? root : Path.Combine(root, name);

    public void Note(string observation, object value) => Steps.Add(new PosixStep(observation, $"{value}"));

    public void CloseAll()
    {
        foreach (var fd in _descriptors)
        {
            Libc.Close(fd);
        }

        _descriptors.Clear();
    }

    private static string Display(string name) => name.Length > 40 ? $"{name[0]}×{name.Length}" : name;

    // An absolute path into this run's directory is written relative to it, so the two runs read the same.
    private string Relative(string path) => path.StartsWith(root + "/", StringComparison.Ordinal) ? $"<dir>/{path[(root.Length + 1)..]}" : path;

    // Reads errno first: nothing else may run a P/Invoke between the call and this.
    private long Record(string call, long result, Errno? expect, Func<string>? success = null)
    {
        var errno = result < 0 ? Libc.LastErrno : 0;
        var outcome = result < 0 ? $"-1 {ErrnoText(errno)}" : success?.Invoke() ?? $"{result}";
        Steps.Add(new PosixStep(call, outcome));
        if (expect is { } wanted && (wanted == Errno.Success ? result < 0 : errno != (int)wanted))
        {
            Surprises.Add($"{call}: expected {(wanted == Errno.Success ? "success" : wanted)}, got {outcome}");
        }

        return result;
    }

    internal static string ErrnoText(int errno) =>
        Enum.IsDefined((Errno)errno) ? $"{(Errno)errno} ({errno})" : $"errno {errno}";

    internal static string Describe(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= 48 && bytes.IndexOfAnyInRange((byte)1, (byte)31) < 0 && bytes.IndexOfAnyInRange((byte)127, (byte)255) < 0)
        {
            return $"\"{Encoding.ASCII.GetString(bytes).Replace("\0", "\\0", StringComparison.Ordinal)}\"";
        }

        return $"{bytes.Length} bytes, sha256 {Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}";
    }
}
