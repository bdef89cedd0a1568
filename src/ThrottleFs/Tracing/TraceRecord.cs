using ThrottleFs.Qos;
using ThrottleFs.Throttling;

namespace ThrottleFs.Tracing;

/// <summary>
/// One read or write that reached the throttle, as a trace keeps it until the writer turns it into a line: when it
/// arrived, how long it waited for its buckets, how long the backing store then took. Times are nanoseconds since
/// the trace started. The file is kept by reference (its path is read only when the line is written), so a record
/// costs no allocation.
/// </summary>
internal readonly record struct TraceRecord(
    FileThrottle File,
    ThrottleDirection Direction,
    long Offset,
    int Length,
    long ArrivalNs,
    long WaitNs,
    long ServiceNs);
