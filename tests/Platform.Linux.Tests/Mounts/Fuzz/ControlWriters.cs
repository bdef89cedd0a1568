using System.Diagnostics;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Fuzz;

/// <summary>
/// The ways a batch reaches a mount's control file: <c>cat</c> (128 KiB writes), <c>dd bs=1</c> (a byte per write), and
/// one write(2) of the whole batch (the kernel splits it at the mount's max_write). Each says whether every write
/// succeeded and how long it took.
/// </summary>
internal static class ControlWriters
{
    public sealed record Written(bool Succeeded, TimeSpan Took, string Output);

    public static readonly string[] Names = ["cat", "dd bs=1", "one write"];

    /// <summary>Writes the batch in <paramref name="file"/> to <paramref name="control"/> the way <paramref name="name"/> says.</summary>
    public static Written Write(string name, string file, string control)
    {
        var clock = Stopwatch.StartNew();
        switch (name)
        {
            case "cat":
                var cat = Tool.Run("sh", "-c", "cat \"$0\" > \"$1\"", file, control);
                return new Written(cat.ExitCode == 0, clock.Elapsed, cat.ToString());
            case "dd bs=1":
                var dd = Tool.Run("dd", $"if={file}", $"of={control}", "bs=1", "status=none");
                return new Written(dd.ExitCode == 0, clock.Elapsed, dd.ToString());
            default:
                try
                {
                    using var stream = new FileStream(control, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
                    stream.Write(File.ReadAllBytes(file));
                    return new Written(true, clock.Elapsed, "");
                }
                catch (IOException e)
                {
                    return new Written(false, clock.Elapsed, e.Message);
                }
        }
    }
}
