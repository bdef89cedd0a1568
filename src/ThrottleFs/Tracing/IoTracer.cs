using System.Globalization;
using Serilog;
using ThrottleFs.Configuration;
using ThrottleFs.Qos;

namespace ThrottleFs.Tracing;

/// <summary>
/// A mount's trace switch: at most one <see cref="TraceRecorder"/> runs at a time, started and stopped by
/// <c>trace</c> control lines (<see cref="TraceControl"/>) and stopped by itself when its duration is up. The data
/// path reads <see cref="Current"/> once per request, so an idle switch costs one volatile read.
/// </summary>
internal sealed class IoTracer(TimeProvider time, ILogger log) : IDisposable
{
    private readonly Lock _lock = new();
    private volatile TraceRecorder? _current;
    private ITimer? _deadline;
    private DateTimeOffset? _endsAt;
    private string _last = "no trace has run since the mount";

    /// <summary>The running trace, or null.</summary>
    public TraceRecorder? Current => _current;

    /// <summary>Runs a trace command for <paramref name="who"/>.</summary>
    /// <exception cref="ConfigException">The trace cannot start: one runs already, or the file cannot be written.</exception>
    public void Execute(TraceControl command, string who)
    {
        switch (command)
        {
            case TraceControl.Start start:
                Start(start, who);
                break;
            default:
                Stop($"'trace stop' from {who}");
                break;
        }
    }

    /// <summary>What <c>.throttlefs/trace</c> shows: the running trace and its counts, or how the last one ended.</summary>
    public string Status()
    {
        lock (_lock)
        {
            if (_current is not { } trace)
            {
                return $"not tracing; {_last}\n";
            }

            var ends = _endsAt is { } at ? $", stops at {at.ToLocalTime():yyyy-MM-dd HH:mm:ss}" : "";
            return string.Create(
                CultureInfo.InvariantCulture,
                $"tracing {Describe(trace)} since {trace.StartedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}{ends}: {trace.Written} requests written, {trace.Dropped} dropped{FailureText(trace)}\n");
        }
    }

    /// <summary>Stops a running trace, finishing its file.</summary>
    public void Dispose() => Stop("the unmount");

    private void Start(TraceControl.Start start, string who)
    {
        lock (_lock)
        {
            if (_current is { } running)
            {
                throw new ConfigException($"a trace is already running into {running.Output}; stop it first with 'trace stop'");
            }

            TraceRecorder trace;
            try
            {
                trace = new TraceRecorder(start.Output, start.Files, time);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigException($"cannot write the trace file {start.Output}: {e.Message}");
            }

            _current = trace;
            if (start.DurationNs is { } ns)
            {
                _endsAt = trace.StartedAt + TimeSpan.FromTicks(ns / 100);
                var why = $"its duration ({Duration.Format(ns)})";
                _deadline = time.CreateTimer(_ => Stop(why), null, TimeSpan.FromTicks(ns / 100), Timeout.InfiniteTimeSpan);
            }

            log.Information("Tracing {What} (started by {Who})", Describe(trace) + (_endsAt is { } at ? $" until {at.ToLocalTime():HH:mm:ss}" : ""), who);
        }
    }

    private void Stop(string why)
    {
        TraceRecorder? trace;
        lock (_lock)
        {
            trace = _current;
            if (trace is null)
            {
                return;
            }

            // Requests that read the switch before this finish into a buffer nobody drains: they are not in the trace.
            _current = null;
            _deadline?.Dispose();
            (_deadline, _endsAt) = (null, null);
        }

        trace.Dispose();
        lock (_lock)
        {
            _last = string.Create(
                CultureInfo.InvariantCulture,
                $"the last trace ({Describe(trace)}, from {trace.StartedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}) stopped on {why}: {trace.Written} requests written, {trace.Dropped} dropped{FailureText(trace)}");
        }

        if (trace.Failure is { } failure)
        {
            log.Error("Trace into {Output} failed: {Reason}; it stopped on {Why} with {Written} requests written", trace.Output, failure.Message, why, trace.Written);
        }
        else
        {
            log.Information("Trace into {Output} stopped on {Why}: {Written} requests written, {Dropped} dropped", trace.Output, why, trace.Written, trace.Dropped);
        }
    }

    private static string Describe(TraceRecorder trace) => trace.Files is { } files ? $"files {files} into {trace.Output}" : $"into {trace.Output}";

    private static string FailureText(TraceRecorder trace) => trace.Failure is { } failure ? $"; writing failed: {failure.Message}" : "";
}
