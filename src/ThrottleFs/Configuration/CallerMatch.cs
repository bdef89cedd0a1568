namespace ThrottleFs.Configuration;

/// <summary>The callers a rule is for: every condition given must hold; none given matches everyone.</summary>
/// <param name="Uid">The opener's user id, or null for any.</param>
/// <param name="Gid">The opener's primary group id, or null for any.</param>
/// <param name="Process">The executable's file name, or null for any.</param>
internal sealed record CallerMatch(uint? Uid, uint? Gid, string? Process)
{
    /// <summary>Every caller.</summary>
    public static CallerMatch Anyone { get; } = new(null, null, null);

    /// <summary>Whether this names no caller, so only the path decides.</summary>
    public bool IsAnyone => Uid is null && Gid is null && Process is null;

    /// <summary>Whether <paramref name="opener"/> is one of these callers.</summary>
    public bool IsMatch(Opener opener) =>
        (Uid is null || Uid == opener.Uid) &&
        (Gid is null || Gid == opener.Gid) &&
        (Process is null || string.Equals(Process, opener.Process, StringComparison.Ordinal));

    /// <summary><c>uid=1000 process=fio</c>, as the config says it.</summary>
    public override string ToString() => string.Join(' ', new[]
    {
        Uid is { } uid ? $"uid={uid}" : null,
        Gid is { } gid ? $"gid={gid}" : null,
        Process is { } process ? $"process={process}" : null,
    }.OfType<string>());
}
