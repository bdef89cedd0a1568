using ThrottleFs.Qos;

namespace ThrottleFs.Simulation;

/// <summary>
/// One read or write of a trace: which file (an index into <see cref="IoTrace.Files"/>), when it arrived, and what
/// the recording says it waited for its buckets and the backing store then took (zero for a trace fio wrote).
/// Nanoseconds since the trace started.
/// </summary>
internal readonly record struct TraceRequest(int File, ThrottleDirection Direction, long Offset, int Length, long ArrivalNs, long WaitNs, long ServiceNs)
{
    /// <summary>When the recording says the request was done.</summary>
    public long DoneNs => ArrivalNs + WaitNs + ServiceNs;
}
