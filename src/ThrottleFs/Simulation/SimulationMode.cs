namespace ThrottleFs.Simulation;

/// <summary>How a replay issues the recorded requests.</summary>
internal enum SimulationMode
{
    /// <summary>
    /// Each request arrives at its recorded time, whatever the limits did to the ones before: how much latency would
    /// the limits add to this load?
    /// </summary>
    Open,

    /// <summary>
    /// Each file keeps at most its recorded queue depth in flight and issues its next request when one is done, after
    /// the pause the recording had there: how much longer would the job have taken?
    /// </summary>
    Closed,
}
