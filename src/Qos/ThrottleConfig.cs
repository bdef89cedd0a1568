using System.Text;

namespace ThrottleFs.Qos;

/// <summary>
/// The complete, immutable configuration of one throttle state: six buckets, <c>iops-size</c>, and the choices
/// ThrottleFs adds to QEMU's model (algorithm, iops-size rounding, what a change does to bucket levels).
/// A config may be invalid; <see cref="Validate"/> says why, and nothing applies an invalid one.
/// </summary>
public sealed record ThrottleConfig
{
    /// <summary>QEMU's <c>THROTTLE_VALUE_MAX</c>: no rate, and no burst rate × length, may exceed it.</summary>
    public const long ValueMax = 1_000_000_000_000_000;

    /// <summary>No limits at all: every request passes at once.</summary>
    public static ThrottleConfig Unlimited { get; } = new();

    /// <summary>Bytes per second, reads and writes together (<c>bps-total</c>).</summary>
    public BucketConfig BpsTotal { get; init; } = BucketConfig.Unlimited;

    /// <summary>Bytes per second, reads (<c>bps-read</c>).</summary>
    public BucketConfig BpsRead { get; init; } = BucketConfig.Unlimited;

    /// <summary>Bytes per second, writes (<c>bps-write</c>).</summary>
    public BucketConfig BpsWrite { get; init; } = BucketConfig.Unlimited;

    /// <summary>Operations per second, reads and writes together (<c>iops-total</c>).</summary>
    public BucketConfig IopsTotal { get; init; } = BucketConfig.Unlimited;

    /// <summary>Operations per second, reads (<c>iops-read</c>).</summary>
    public BucketConfig IopsRead { get; init; } = BucketConfig.Unlimited;

    /// <summary>Operations per second, writes (<c>iops-write</c>).</summary>
    public BucketConfig IopsWrite { get; init; } = BucketConfig.Unlimited;

    /// <summary>
    /// Bytes a request may have and still count as one operation (<c>iops-size</c>); larger requests count as
    /// several (see <see cref="IopsSizeMode"/>). 0 counts every request as one.
    /// </summary>
    public long IopsSize { get; init; }

    /// <summary>How requests larger than <see cref="IopsSize"/> are counted (<c>iops-size-mode</c>).</summary>
    public IopsSizeMode IopsSizeMode { get; init; } = IopsSizeMode.Fraction;

    /// <summary>The bucket algorithm (<c>algorithm</c>).</summary>
    public ThrottleAlgorithm Algorithm { get; init; } = ThrottleAlgorithm.Leaky;

    /// <summary>What applying this config does to the current bucket levels (<c>on-change</c>).</summary>
    public LevelsOnChange OnChange { get; init; } = LevelsOnChange.Keep;

    /// <summary>Nanoseconds added to every read once the buckets admitted it (<c>latency-read</c>): a slow disk on demand.</summary>
    public long LatencyRead { get; init; }

    /// <summary>Nanoseconds added to every write once admitted (<c>latency-write</c>).</summary>
    public long LatencyWrite { get; init; }

    /// <summary>Up to this many nanoseconds more, drawn uniformly per request (<c>latency-jitter</c>), where latency is added.</summary>
    public long LatencyJitter { get; init; }

    /// <summary>Seeds the jitter, so a run repeats its delays (<c>latency-seed</c>); 0 draws a different sequence each time.</summary>
    public long LatencySeed { get; init; }

    /// <summary>What happens to a request the buckets cannot admit at once (<c>action</c>).</summary>
    public OverLimitAction Action { get; init; } = OverLimitAction.Shape;

    /// <summary>How many requests may wait per member and direction (<c>queue-depth</c>); null: any number (QEMU).</summary>
    public int? QueueDepth { get; init; }

    /// <summary>Nanoseconds a request may wait in this layer's queue before it is refused (<c>max-wait</c>); 0: no cap.</summary>
    public long MaxWait { get; init; }

    /// <summary>What a request this layer refuses returns (<c>over-limit-error</c>).</summary>
    public OverLimitError OverLimitError { get; init; } = OverLimitError.Default;

    /// <summary>How many requests may wait per member and direction: 0 when policing, <see cref="int.MaxValue"/> for any number.</summary>
    public int WaitingAllowed => Action == OverLimitAction.Police ? 0 : QueueDepth ?? int.MaxValue;

    /// <summary>Whether the config adds latency to requests in <paramref name="direction"/>.</summary>
    public bool AddsLatency(ThrottleDirection direction) =>
        (direction == ThrottleDirection.Read ? LatencyRead : LatencyWrite) != 0 || LatencyJitter != 0;

    /// <summary>The limits of one bucket.</summary>
    public BucketConfig this[BucketKind kind] => kind switch
    {
        BucketKind.BpsTotal => BpsTotal,
        BucketKind.BpsRead => BpsRead,
        BucketKind.BpsWrite => BpsWrite,
        BucketKind.IopsTotal => IopsTotal,
        BucketKind.IopsRead => IopsRead,
        BucketKind.IopsWrite => IopsWrite,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>This config with one bucket replaced.</summary>
    public ThrottleConfig With(BucketKind kind, BucketConfig bucket) => kind switch
    {
        BucketKind.BpsTotal => this with { BpsTotal = bucket },
        BucketKind.BpsRead => this with { BpsRead = bucket },
        BucketKind.BpsWrite => this with { BpsWrite = bucket },
        BucketKind.IopsTotal => this with { IopsTotal = bucket },
        BucketKind.IopsRead => this with { IopsRead = bucket },
        BucketKind.IopsWrite => this with { IopsWrite = bucket },
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Whether the config does anything to a request: a bucket limits (QEMU's <c>throttle_enabled</c>), or latency is
    /// added.
    /// </summary>
    public bool IsEnabled =>
        BpsTotal.IsEnabled || BpsRead.IsEnabled || BpsWrite.IsEnabled ||
        IopsTotal.IsEnabled || IopsRead.IsEnabled || IopsWrite.IsEnabled ||
        LatencyRead != 0 || LatencyWrite != 0 || LatencyJitter != 0;

    /// <summary>How many operations a request of <paramref name="bytes"/> counts as in the iops buckets.</summary>
    public double IopsUnits(long bytes)
    {
        if (IopsSize <= 0 || bytes <= IopsSize)
        {
            return 1.0;
        }

        return IopsSizeMode == IopsSizeMode.RoundUp
            ? (bytes + IopsSize - 1) / IopsSize
            : (double)bytes / IopsSize;
    }

    /// <summary>
    /// Every rule this config breaks, in the order QEMU's <c>throttle_is_valid()</c> checks them (QEMU reports the
    /// first). Each message names the offending keys. Empty when the config is valid.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();

        // Rule 1: a total limit excludes the read/write limits of its kind, separately for avg and for max.
        CheckExclusive(errors, BpsTotal.Avg, BpsRead.Avg, BpsWrite.Avg, "bps-total", "bps-read/bps-write");
        CheckExclusive(errors, IopsTotal.Avg, IopsRead.Avg, IopsWrite.Avg, "iops-total", "iops-read/iops-write");
        CheckExclusive(errors, BpsTotal.Max, BpsRead.Max, BpsWrite.Max, "bps-total-max", "bps-read-max/bps-write-max");
        CheckExclusive(errors, IopsTotal.Max, IopsRead.Max, IopsWrite.Max, "iops-total-max", "iops-read-max/iops-write-max");

        // Rule 2: iops-size only means something when an iops limit counts the operations.
        if (IopsSize != 0 && !IopsTotal.IsEnabled && !IopsRead.IsEnabled && !IopsWrite.IsEnabled)
        {
            errors.Add("iops-size requires an iops limit (iops-total, iops-read or iops-write)");
        }

        if (IopsSize < 0 || IopsSize > ValueMax)
        {
            errors.Add($"iops-size must be within [0, {ValueMax}]");
        }

        // Rules 3 to 8, bucket by bucket.
        foreach (var kind in BucketKinds.All)
        {
            var bucket = this[kind];
            var avg = kind.Name();
            var max = avg + "-max";
            var length = avg + "-max-length";

            if (bucket.Avg < 0 || bucket.Avg > ValueMax)
            {
                errors.Add($"{avg} must be within [0, {ValueMax}]");
            }

            if (bucket.Max < 0 || bucket.Max > ValueMax)
            {
                errors.Add($"{max} must be within [0, {ValueMax}]");
            }

            if (bucket.MaxLength == 0)
            {
                errors.Add($"{length} cannot be 0 (the default, 1 second, is the shortest burst)");
            }
            else if (bucket.MaxLength < 0)
            {
                errors.Add($"{length} must be at least 1 second");
            }

            if (bucket.MaxLength > 1 && bucket.Max == 0)
            {
                errors.Add($"{length} set without {max} (the burst length needs a burst rate)");
            }

            if (bucket.Max > 0 && bucket.MaxLength > ValueMax / bucket.Max)
            {
                errors.Add($"{length} too high for this {max}: {max} × {length} must not exceed {ValueMax}");
            }

            if (bucket.Max != 0 && bucket.Avg == 0)
            {
                errors.Add($"{max} requires {avg}");
            }

            if (bucket.Max != 0 && bucket.Max < bucket.Avg)
            {
                errors.Add($"{max} cannot be lower than {avg}");
            }
        }

        if (QueueDepth is < 0 or > 1_000_000)
        {
            errors.Add("queue-depth must be within [0, 1000000]");
        }

        if (MaxWait != 0 && (MaxWait < 1_000_000 || MaxWait > Duration.MaxNs))
        {
            errors.Add("max-wait must be within [1ms, 1 day]");
        }

        if (Action == OverLimitAction.Police && (QueueDepth is not null || MaxWait != 0))
        {
            errors.Add($"action=police refuses at once, so {(QueueDepth is not null ? "queue-depth" : "max-wait")} means nothing with it (queue-depth=0 is the same as police)");
        }

        foreach (var (key, value) in new[] { ("latency-read", LatencyRead), ("latency-write", LatencyWrite), ("latency-jitter", LatencyJitter) })
        {
            if (value < 0 || value > Duration.MaxNs)
            {
                errors.Add($"{key} must be within [0, 1 day]");
            }
        }

        return errors;
    }

    /// <summary>Throws <see cref="ThrottleConfigException"/> listing every broken rule, unless the config is valid.</summary>
    public ThrottleConfig EnsureValid()
    {
        var errors = Validate();
        return errors.Count == 0 ? this : throw new ThrottleConfigException(errors);
    }

    /// <summary>
    /// Parses a limit SPEC (<c>iops-total=100,iops-total-max=2000 bps-read=10M</c>) into a valid config.
    /// Keys not given keep their defaults.
    /// </summary>
    /// <exception cref="ThrottleConfigException">The SPEC has an unknown key or bad value, or the result breaks a rule.</exception>
    public static ThrottleConfig Parse(string spec) => Unlimited.Apply(spec);

    /// <summary>
    /// Merges a limit SPEC into this config: keys given replace their values, keys not given keep theirs. The merged
    /// result is validated as a whole; when anything is wrong nothing is returned, only the reasons.
    /// </summary>
    /// <exception cref="ThrottleConfigException">The SPEC has an unknown key or bad value, or the result breaks a rule.</exception>
    public ThrottleConfig Apply(string spec) => ThrottleSpec.Parse(spec).ApplyTo(this).EnsureValid();

    /// <summary>The limits as a SPEC for people to read, or <c>unlimited</c> when no bucket is enabled (whatever the algorithm).</summary>
    public string Summary => IsEnabled ? ToString() : "unlimited";

    /// <summary>The config as a SPEC with every key that differs from the defaults, or <c>unlimited</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (key, value) in ThrottleKeys.Describe(this))
        {
            text.Append(text.Length == 0 ? "" : ",").Append(key).Append('=').Append(value);
        }

        return text.Length == 0 ? "unlimited" : text.ToString();
    }

    private static void CheckExclusive(List<string> errors, long total, long read, long write, string totalKey, string splitKeys)
    {
        if (total != 0 && (read != 0 || write != 0))
        {
            errors.Add($"{totalKey} and {splitKeys} cannot be used at the same time");
        }
    }
}
