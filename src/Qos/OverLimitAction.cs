namespace ThrottleFs.Qos;

/// <summary>What a layer does with a request its buckets cannot admit at once (<c>action</c>).</summary>
public enum OverLimitAction
{
    /// <summary>It waits until they can (traffic shaping, QEMU's behaviour); <c>queue-depth</c> and <c>max-wait</c> may bound the wait.</summary>
    Shape,

    /// <summary>It is refused at once (traffic policing).</summary>
    Police,
}
