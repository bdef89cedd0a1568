namespace ThrottleFs.Qos.Tests;

/// <summary>What the scenario tests share: a virtual clock, groups on it, and saturating workloads stepped through time.</summary>
public abstract class VirtualTimeTest
{
    /// <summary>Workloads are topped up once per virtual millisecond.</summary>
    protected static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1);

    protected VirtualClock Clock { get; } = new();

    protected ThrottleGroup Group(string spec) => Group("g", spec);

    protected ThrottleGroup Group(string name, string spec) => new(name, ThrottleConfig.Parse(spec), Clock);

    /// <summary>One member of a new group, kept busy with reads of <paramref name="bytes"/>; the instant burst is already counted.</summary>
    protected Workload Saturate(string spec, long bytes)
    {
        var load = new Workload(Group(spec).Join("file"), ThrottleDirection.Read, bytes);
        load.Pump();
        return load;
    }

    protected void Until(TimeSpan time, params Workload[] loads) => Workload.Run(Clock, time, Step, loads);
}
