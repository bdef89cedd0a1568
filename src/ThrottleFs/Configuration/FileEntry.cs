using ThrottleFs.Qos;

namespace ThrottleFs.Configuration;

/// <summary>
/// Settings for one exact path (config <c>"files"</c>, or a live change through the control file), applied after
/// the rule that matches it.
/// </summary>
/// <param name="Limits">Changes to the file's own limits.</param>
/// <param name="Group">
/// The group the file joins: null leaves the rule's choice, <see cref="string.Empty"/> puts the file in no group.
/// </param>
internal sealed record FileEntry(ThrottleSpec Limits, string? Group)
{
    /// <summary>An entry that changes nothing.</summary>
    public static FileEntry None { get; } = new(ThrottleSpec.Empty, null);

    /// <summary>This entry with <paramref name="later"/>'s changes on top.</summary>
    public FileEntry Then(FileEntry later) => new(Limits.Then(later.Limits), later.Group ?? Group);
}
