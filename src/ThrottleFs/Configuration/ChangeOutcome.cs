using System.Globalization;
using ThrottleFs.Qos;

namespace ThrottleFs.Configuration;

/*
 * A change merges into the limits in force, as libvirt's does: "file f1.img iops-total=100" on top of a config with
 * iops-total-max=6000 for 30 s keeps that burst, and the file runs at 6,000 IOPS for half a minute more, as if the
 * change did nothing. So every accepted change is answered with what is in force afterwards (the whole chain for a
 * file), and with a note for each burst it left running at the old rate for more than a few seconds.
 */

/// <summary>What an accepted change leaves in force: the chain (or layer) it touched, and the bursts it kept.</summary>
/// <param name="Now">The chain for a file (<c>file a.img iops-total=100 → group vms iops-total=500 → mount unlimited</c>) or the layer changed.</param>
/// <param name="Notes">One line per kept burst: its rate, how long it can run, and how to drop it.</param>
internal sealed record ChangeOutcome(string Now, IReadOnlyList<string> Notes)
{
    /// <summary>A kept burst shorter than this is not worth a note: it is over before anyone looks.</summary>
    public const double NotableBurstSeconds = 3;

    /// <summary>What <paramref name="command"/> left in force in <paramref name="limits"/>.</summary>
    public static ChangeOutcome Of(ControlCommand command, EffectiveLimits limits)
    {
        var (changed, now) = command.Scope switch
        {
            { File: { } path } => Chain(limits, path),
            { Group: { } name } => (limits.Groups.GetValueOrDefault(name), limits.Groups.TryGetValue(name, out var group)
                ? $"group {name} {group.Summary}"
                : $"group {name} removed"),
            _ => (limits.Mount, $"mount {limits.Mount.Summary}"),
        };

        var spec = command switch
        {
            ControlCommand.SetFile set => set.Limits,
            ControlCommand.SetGroup set => set.Limits,
            ControlCommand.SetMount set => set.Limits,
            _ => null,
        };
        return new ChangeOutcome(now, changed is null || spec is null ? [] : KeptBursts(changed, spec));
    }

    /// <summary>The outcome as the log, <c>changes</c> and <c>throttlefs set</c> show it: the chain, then a note a line.</summary>
    public override string ToString() => string.Concat(Notes.Select(note => $"\n  note: {note}")).Insert(0, "now: " + Now);

    private static (ThrottleConfig Own, string Text) Chain(EffectiveLimits limits, string path)
    {
        var (own, group) = limits.ForFile(path);
        var chain = $"file {PathText(path)} {own.Summary}";
        if (group is not null)
        {
            chain += $" → group {group} {limits.Groups[group].Summary}";
        }

        return (own, chain + $" → mount {limits.Mount.Summary}");
    }

    private static string PathText(string path) => FileSystem.PathText.Escape(path.Length == 0 ? "/" : path);

    // A bucket whose rate the change set, whose burst it did not: the burst runs on at the old rate until its credit
    // (Max × MaxLength, filled at Max − Avg) is spent.
    private static List<string> KeptBursts(ThrottleConfig config, ThrottleSpec spec)
    {
        var named = spec.Settings.Select(setting => setting.Key).ToHashSet(StringComparer.Ordinal);
        var notes = new List<string>();
        foreach (var kind in BucketKinds.All)
        {
            var bucket = config[kind];
            var name = kind.Name();
            if (!named.Contains(name) || named.Contains(name + "-max") || named.Contains(name + "-max-length") || bucket.Max <= bucket.Avg)
            {
                continue;
            }

            var seconds = (double)bucket.Max * bucket.MaxLength / (bucket.Max - bucket.Avg);
            if (seconds > NotableBurstSeconds)
            {
                // A burst length above 1 s needs a burst rate, so dropping the rate drops the length too.
                var drop = bucket.MaxLength > 1 ? $"{name}-max=0,{name}-max-length=1" : $"{name}-max=0";
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{name}-max={Quantity.Format(bucket.Max, kind.CountsBytes())} was kept: the burst can run at {Rate(bucket.Max, kind)} for up to {seconds:0} s before {name}={Quantity.Format(bucket.Avg, kind.CountsBytes())} holds; add {drop} to drop it"));
            }
        }

        return notes;
    }

    private static string Rate(long value, BucketKind kind) => kind.CountsBytes()
        ? Quantity.Format(value, bytes: true) + "/s"
        : value.ToString("N0", CultureInfo.InvariantCulture) + " IOPS";
}
