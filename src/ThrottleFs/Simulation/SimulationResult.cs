namespace ThrottleFs.Simulation;

/// <summary>One candidate's replay of a trace.</summary>
/// <param name="Candidate">What was simulated, as the user gave it (<c>iops-total=100</c>, or the config file).</param>
/// <param name="Mode">Open or closed loop.</param>
/// <param name="Mount">Every request.</param>
/// <param name="Groups">The requests of each group's files.</param>
/// <param name="Files">Each file's requests, in trace order.</param>
/// <param name="DonePerSecond">Requests done in each second of the replay, from the first arrival.</param>
/// <param name="RecordedDonePerSecond">Requests done in each second of the recording, from the first arrival.</param>
internal sealed record SimulationResult(
    string Candidate,
    SimulationMode Mode,
    ScopeResult Mount,
    IReadOnlyList<ScopeResult> Groups,
    IReadOnlyList<ScopeResult> Files,
    IReadOnlyList<int> DonePerSecond,
    IReadOnlyList<int> RecordedDonePerSecond);
