namespace ThrottleFs.Configuration;

/// <summary>
/// Who opened a file: what caller rules and per-caller groups look at. A handle is throttled as its opener's for as
/// long as it is open, whoever reads or writes through it later (a child that inherited it, the kernel writing back
/// cached pages), much as a disk quota charges a file's owner and not the writer of each block.
/// </summary>
/// <param name="Uid">The user, or null when unknown (then no uid rule matches).</param>
/// <param name="Gid">The primary group, or null when unknown.</param>
/// <param name="Process">The executable's file name (<c>fio</c>, <c>qemu-system-x86_64</c>), or null when unknown.</param>
internal readonly record struct Opener(uint? Uid, uint? Gid, string? Process)
{
    /// <summary>A caller nothing is known of: it matches only rules that name no caller.</summary>
    public static Opener Unknown => default;

    /// <summary>The value a group kept <paramref name="per"/> caller splits on, e.g. <c>uid=1000</c>.</summary>
    public string ValueOf(CallerField per) => per switch
    {
        CallerField.Uid => $"uid={Text(Uid)}",
        CallerField.Gid => $"gid={Text(Gid)}",
        _ => $"process={Process ?? "?"}",
    };

    private static string Text(uint? id) => id?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?";
}
