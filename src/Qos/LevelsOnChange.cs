namespace ThrottleFs.Qos;

/// <summary>The <c>on-change</c> key: what a change of limits does to the levels the buckets have reached.</summary>
public enum LevelsOnChange
{
    /// <summary>
    /// Levels are kept: credit already used stays used, clamped to the new capacity, and an overdraft by the last
    /// admitted request is still paid at the new rate. Re-applying the same limits changes nothing.
    /// </summary>
    Keep = 0,

    /// <summary>QEMU's <c>throttle_config()</c>: every level is emptied, so the full burst is available again.</summary>
    Reset = 1,
}
