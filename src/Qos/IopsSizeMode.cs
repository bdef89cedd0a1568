namespace ThrottleFs.Qos;

/// <summary>How a request larger than <c>iops-size</c> is counted in the iops buckets.</summary>
public enum IopsSizeMode
{
    /// <summary>QEMU: <c>size / iops-size</c> operations, fractional (6 KiB at 4 KiB counts 1.5).</summary>
    Fraction = 0,

    /// <summary>Windows Storage QoS style: whole operations, rounded up (12 KiB at 8 KiB counts 2).</summary>
    RoundUp = 1,
}
