namespace ThrottleFs.Qos;

/*
 * librbd's TokenBucketThrottle (src/common/Throttle.cc) for one limit, with its tick folded in and driven lazily.
 *
 * Tokens are added on a tick: every max(1000/avg ms, 50 ms), as many as make exactly Avg per second over the
 * ticks of one second (with Avg 950 and 20 ticks: 47, 48, 47, 48, ...). Two counters hold them:
 *   Remain     tokens in the bucket, refilled at Avg, capped at Capacity = Max × burst seconds;
 *   Available  tokens spendable now, refilled at Max (the burst rate), capped at min(Max, Remain).
 * A request takes what is available; if that is less than it needs it keeps the partial grant and takes more on
 * later ticks, so a request larger than one tick's tokens is never starved. Right after configuration Remain is
 * full and Available holds one tick's tokens: with a limit of 100 and no burst, 5 requests pass at once, then 5
 * every 50 ms.
 *
 * librbd runs a timer per tick; here RefillTo(now) replays the ticks that fell due, so the bucket costs nothing
 * while idle, and a long idle period is replayed in whole one-second cycles rather than tick by tick.
 */

/// <summary>One librbd token bucket with its tick schedule. Pure: time is passed in as nanoseconds.</summary>
internal struct TokenBucket
{
    /// <summary>librbd's <c>rbd_qos_schedule_tick_min</c> default: ticks are at least 50 ms apart.</summary>
    public const long MinimumTickMilliseconds = 50;

    private const long NanosecondsPerMillisecond = 1_000_000;

    private long _ticksPerSecond;
    private long _currentTick;
    private double _burstRatio;
    private double _cycleAvailableIncrement;

    /// <summary>
    /// Creates a bucket configured at <paramref name="nowNs"/> as librbd's <c>set_limit</c> does: full
    /// <see cref="Remain"/>, and one tick's tokens available at once.
    /// </summary>
    public TokenBucket(BucketConfig config, long nowNs)
    {
        Configure(config, nowNs, keepLevels: false);
    }

    /// <summary>Token rate per second (librbd's limit); 0 disables the bucket.</summary>
    public long Avg { get; private set; }

    /// <summary>Burst rate: the configured max, or <see cref="Avg"/> when none is set.</summary>
    public long Max { get; private set; }

    /// <summary>Tokens the bucket holds when full: <c>Max × burst seconds</c>.</summary>
    public long Capacity { get; private set; }

    /// <summary>Tokens in the bucket.</summary>
    public double Remain { get; private set; }

    /// <summary>Tokens that may be spent right now.</summary>
    public double Available { get; private set; }

    /// <summary>Nanoseconds between ticks.</summary>
    public long TickNs { get; private set; }

    /// <summary>When the next tick falls due, in nanoseconds on the caller's clock.</summary>
    public long NextTickNs { get; private set; }

    /// <summary>Whether this bucket limits anything.</summary>
    public readonly bool IsEnabled => Avg > 0;

    /// <summary>
    /// Applies new limits. Without <paramref name="keepLevels"/> this is librbd's fresh start: a full bucket and one
    /// tick's worth available now. With it, levels are clamped to the new capacity and the tick phase is kept when
    /// the tick length does not change.
    /// </summary>
    public void Configure(BucketConfig config, long nowNs, bool keepLevels)
    {
        var wasEnabled = IsEnabled;
        var oldTick = TickNs;
        Avg = config.Avg;
        Max = config.Max == 0 ? config.Avg : config.Max;
        Capacity = Max * Math.Max(config.MaxLength, 1);
        if (!IsEnabled)
        {
            (Remain, Available, TickNs, NextTickNs) = (0, 0, 0, long.MaxValue);
            return;
        }

        var tickMs = Math.Max(1000 / Avg, MinimumTickMilliseconds);
        TickNs = tickMs * NanosecondsPerMillisecond;
        _ticksPerSecond = 1000 / tickMs;
        _currentTick = 0;
        _burstRatio = Max > Avg ? (double)Max / Avg : 1.0;
        _cycleAvailableIncrement = 0;
        for (var tick = 1; tick <= _ticksPerSecond; tick++)
        {
            _cycleAvailableIncrement += AvailableIncrement(TokensForTick(tick));
        }

        if (keepLevels && wasEnabled)
        {
            Remain = Math.Min(Remain, Capacity);
            Available = Math.Min(Available, Math.Min(Max, Remain));
            if (TickNs != oldTick)
            {
                NextTickNs = nowNs + TickNs;
            }

            return;
        }

        Remain = Capacity;
        Available = 0;
        NextTickNs = nowNs;
        RefillTo(nowNs);
    }

    /// <summary>Adds the tokens of every tick due at or before <paramref name="nowNs"/>.</summary>
    public void RefillTo(long nowNs)
    {
        if (!IsEnabled || NextTickNs > nowNs)
        {
            return;
        }

        var due = (nowNs - NextTickNs) / TickNs + 1;
        NextTickNs += due * TickNs;

        // Tick by tick up to a cycle boundary, whole seconds at once, then the rest tick by tick. Batching is
        // exact: Available's cap min(Max, Remain) never grows faster than Available itself during refills.
        while (due > 0 && _currentTick % _ticksPerSecond != 0)
        {
            PutOneTick();
            due--;
        }

        var cycles = due / _ticksPerSecond;
        if (cycles > 0)
        {
            Remain = Math.Min(Remain + (double)cycles * Avg, Capacity);
            Available = Math.Min(Available + cycles * _cycleAvailableIncrement, Math.Min(Max, Remain));
            due -= cycles * _ticksPerSecond;
        }

        for (; due > 0; due--)
        {
            PutOneTick();
        }
    }

    /// <summary>Takes up to <paramref name="tokens"/> available tokens and returns how many were taken.</summary>
    public double Take(double tokens)
    {
        var taken = Math.Min(tokens, Available);
        Available -= taken;
        Remain -= taken;
        return taken;
    }

    /// <summary>Gives back tokens a cancelled request had been granted.</summary>
    public void Return(double tokens)
    {
        Remain = Math.Min(Remain + tokens, Capacity);
        Available = Math.Min(Available + tokens, Math.Min(Max, Remain));
    }

    // librbd's tokens_this_tick(): tick k of each second adds floor(k/tps·avg) − floor((k−1)/tps·avg).
    private void PutOneTick()
    {
        _currentTick = _currentTick >= _ticksPerSecond ? 1 : _currentTick + 1;
        var tokens = TokensForTick(_currentTick);
        Remain = Math.Min(Remain + tokens, Capacity);
        Available = Math.Min(Available + AvailableIncrement(tokens), Math.Min(Max, Remain));
    }

    private readonly long TokensForTick(long tick) => Filled(tick) - Filled(tick - 1);

    private readonly long Filled(long tick) => (long)((double)tick / _ticksPerSecond * Avg);

    // Available grows at the burst rate: each tick's tokens times Max/Avg, truncated as librbd does.
    private readonly double AvailableIncrement(long tokens) => _burstRatio > 1 ? Math.Floor(tokens * _burstRatio) : tokens;
}
