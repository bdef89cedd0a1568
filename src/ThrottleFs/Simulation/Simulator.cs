using ThrottleFs.Configuration;
using ThrottleFs.Qos;
using ThrottleFs.Throttling;

namespace ThrottleFs.Simulation;

/// <summary>
/// Replays a trace through the engine a mount uses (a <see cref="ThrottlePolicy"/> with its files, groups and mount
/// layer) on a <see cref="VirtualClock"/>: hours of recorded I/O take seconds, and the same trace and limits give the
/// same answer every time. The clock jumps from event to event (an arrival, a timer of the engine, a request
/// done), and every admission is seen at the instant it happens.
/// </summary>
/// <remarks>
/// A request is done its recorded service time after its admission (the backing store is assumed to answer as it
/// did while recording). Callers are not in a trace, so rules and per-caller groups that name callers match no
/// request; a config's cluster-wide groups are simulated as local groups.
/// </remarks>
internal sealed class Simulator
{
    /// <summary>Virtual time with requests outstanding but nothing happening, after which a replay is a bug of ours, not a result.</summary>
    private const long StallNs = 86_400L * 1_000_000_000;

    private readonly IoTrace _trace;
    private readonly SimulationMode _mode;
    private readonly VirtualClock _clock;
    private readonly FileRun[] _files;
    private readonly ScopeTally _mount = new("mount", "mount");
    private readonly SortedDictionary<string, ScopeTally> _groups = new(StringComparer.Ordinal);
    private readonly PriorityQueue<int, long> _services = new();   // requests admitted, by when the backing store is done
    private readonly PriorityQueue<FileRun, long> _ready = new();  // closed loop: files, by when their next request goes
    private readonly List<FileRun> _waiting = [];                  // files with requests waiting for their buckets
    private readonly List<int> _donePerSecond = [];
    private readonly long _origin;
    private int _nextArrival;
    private int _issued;
    private int _done;

    private Simulator(IoTrace trace, SimulationMode mode, VirtualClock clock, ThrottlePolicy policy)
    {
        _trace = trace;
        _mode = mode;
        _clock = clock;
        _origin = trace.Requests.Length == 0 ? 0 : trace.Requests[0].ArrivalNs;
        var byFile = new List<int>[trace.Files.Count];
        for (var i = 0; i < byFile.Length; i++)
        {
            byFile[i] = [];
        }

        for (var r = 0; r < trace.Requests.Length; r++)
        {
            byFile[trace.Requests[r].File].Add(r);
        }

        _files = new FileRun[trace.Files.Count];
        for (var f = 0; f < _files.Length; f++)
        {
            var handle = policy.Open(trace.Files[f]);
            ScopeTally? group = null;
            if (handle.Seat?.Group.Name is { } name && !_groups.TryGetValue(name, out group))
            {
                _groups.Add(name, group = new ScopeTally("group", name));
            }

            _files[f] = new FileRun(handle, new ScopeTally("file", trace.Files[f]), group, [.. byFile[f]]);
            if (mode == SimulationMode.Closed)
            {
                _files[f].MeasureClosedLoop(trace.Requests, _origin);
            }
        }
    }

    /// <summary>Replays <paramref name="trace"/> under <paramref name="settings"/>.</summary>
    /// <param name="trace">The recorded requests.</param>
    /// <param name="settings">The limits to try, as a mount would have them.</param>
    /// <param name="mode">Open or closed loop.</param>
    /// <param name="candidate">The name the result goes by.</param>
    /// <exception cref="ConfigException">The settings are not valid.</exception>
    public static SimulationResult Run(IoTrace trace, ThrottleFsSettings settings, SimulationMode mode, string candidate)
    {
        var clock = new VirtualClock();
        using var policy = new ThrottlePolicy(settings with { Cluster = null, MetricsListen = null }, clock);
        var simulator = new Simulator(trace, mode, clock, policy);
        simulator.Replay();
        return simulator.Result(candidate);
    }

    private void Replay()
    {
        if (_mode == SimulationMode.Closed)
        {
            foreach (var file in _files)
            {
                ScheduleNext(file, 0);
            }
        }

        var lastProgress = 0L;
        while (_done < _trace.Requests.Length)
        {
            var next = NextEvent();
            if (next == long.MaxValue || next - lastProgress > StallNs)
            {
                throw new InvalidOperationException(
                    $"the replay stopped with {_trace.Requests.Length - _done} requests outstanding at {next} ns; this is a bug, please report it with the trace");
            }

            var before = _issued + _done;
            _clock.AdvanceToNs(next);
            Collect(next);
            while (_services.TryPeek(out var request, out var at) && at <= next)
            {
                _services.Dequeue();
                Done(_files[_trace.Requests[request].File], request, next);
            }

            if (_mode == SimulationMode.Open)
            {
                while (_nextArrival < _trace.Requests.Length && _trace.Requests[_nextArrival].ArrivalNs - _origin <= next)
                {
                    var request = _nextArrival++;
                    Issue(_files[_trace.Requests[request].File], request, next);
                }
            }
            else
            {
                while (_ready.TryPeek(out var file, out var at) && at <= next)
                {
                    _ready.Dequeue();
                    file.Scheduled = false;
                    Issue(file, file.Requests[file.Next++], next);
                    ScheduleNext(file, next);
                }
            }

            Collect(next);
            lastProgress = _issued + _done != before ? next : lastProgress;
        }
    }

    private long NextEvent()
    {
        var next = long.MaxValue;
        if (_mode == SimulationMode.Open && _nextArrival < _trace.Requests.Length)
        {
            next = _trace.Requests[_nextArrival].ArrivalNs - _origin;
        }

        if (_ready.TryPeek(out _, out var ready))
        {
            next = Math.Min(next, ready);
        }

        if (_services.TryPeek(out _, out var done))
        {
            next = Math.Min(next, done);
        }

        if (_clock.NextDueNs is { } due)
        {
            next = Math.Min(next, due);
        }

        return Math.Max(next, _clock.NowNs);
    }

    // Closed loop: the file's next request goes once it has room in its queue depth, after its recorded pause.
    private void ScheduleNext(FileRun file, long now)
    {
        if (!file.Scheduled && file.Next < file.Requests.Length && file.InFlight < file.Depth)
        {
            file.Scheduled = true;
            _ready.Enqueue(file, Math.Max(now, file.LastEvent + file.Think[file.Next]));
        }
    }

    private void Issue(FileRun file, int request, long now)
    {
        ref readonly var recorded = ref _trace.Requests[request];
        _issued++;
        file.InFlight++;
        file.LastEvent = now;
        file.Tally.Arrived(now, recorded);
        file.Group?.Arrived(now, recorded);
        _mount.Arrived(now, recorded);

        var admission = file.Handle.Chain.AdmitAsync(recorded.Direction, recorded.Length, CancellationToken.None);
        if (admission.IsCompleted)
        {
            Admitted(file, request, now, now, IsRefused(admission));
            return;
        }

        file.Waits(recorded.Direction).Enqueue(new Pending(request, admission, now));
        file.Tally.Queued();
        file.Group?.Queued();
        _mount.Queued();
        if (!file.Waiting)
        {
            file.Waiting = true;
            _waiting.Add(file);
        }
    }

    // Admissions the engine's timers made at this instant. A file's requests in one direction are admitted in order.
    private void Collect(long now)
    {
        for (var i = _waiting.Count - 1; i >= 0; i--)
        {
            var file = _waiting[i];
            foreach (var waits in (ReadOnlySpan<Queue<Pending>>)[file.ReadWaits, file.WriteWaits])
            {
                while (waits.TryPeek(out var pending) && pending.Admission.IsCompleted)
                {
                    waits.Dequeue();
                    file.Tally.Dequeued();
                    file.Group?.Dequeued();
                    _mount.Dequeued();
                    Admitted(file, pending.Request, pending.IssuedNs, now, IsRefused(pending.Admission));
                }
            }

            if (file.ReadWaits.Count == 0 && file.WriteWaits.Count == 0)
            {
                file.Waiting = false;
                _waiting.RemoveAt(i);
            }
        }
    }

    private void Admitted(FileRun file, int request, long issued, long now, bool refused)
    {
        file.Tally.Admitted(now - issued, refused);
        file.Group?.Admitted(now - issued, refused);
        _mount.Admitted(now - issued, refused);
        var service = _trace.Requests[request].ServiceNs;
        if (refused || service == 0)
        {
            Done(file, request, now);
        }
        else
        {
            _services.Enqueue(request, now + service);
        }
    }

    private void Done(FileRun file, int request, long now)
    {
        _done++;
        file.InFlight--;
        file.LastEvent = now;
        file.Tally.Done(now);
        file.Group?.Done(now);
        _mount.Done(now);
        Count(_donePerSecond, now);
        if (_mode == SimulationMode.Closed)
        {
            ScheduleNext(file, now);
        }
    }

    private static bool IsRefused(ValueTask admission)
    {
        try
        {
            admission.GetAwaiter().GetResult();
            return false;
        }
        catch (ThrottleRefusedException)
        {
            return true;
        }
    }

    private static void Count(List<int> perSecond, long ns)
    {
        var second = (int)(ns / 1_000_000_000);
        while (perSecond.Count <= second)
        {
            perSecond.Add(0);
        }

        perSecond[second]++;
    }

    private SimulationResult Result(string candidate)
    {
        var recorded = new List<int>();
        foreach (var request in _trace.Requests)
        {
            Count(recorded, request.DoneNs - _origin);
        }

        return new SimulationResult(
            candidate, _mode, _mount.ToResult(),
            [.. _groups.Values.Select(group => group.ToResult())],
            [.. _files.Select(file => file.Tally.ToResult())],
            _donePerSecond, recorded);
    }

    private readonly record struct Pending(int Request, ValueTask Admission, long IssuedNs);

    // One file of the trace during a replay.
    private sealed class FileRun(HandleThrottle handle, ScopeTally tally, ScopeTally? group, int[] requests)
    {
        public HandleThrottle Handle { get; } = handle;

        public ScopeTally Tally { get; } = tally;

        public ScopeTally? Group { get; } = group;

        /// <summary>The file's requests (indexes into the trace), in order of arrival.</summary>
        public int[] Requests { get; } = requests;

        public Queue<Pending> ReadWaits { get; } = new();

        public Queue<Pending> WriteWaits { get; } = new();

        public bool Waiting { get; set; }

        /// <summary>Closed loop: most requests the recording had in flight at once.</summary>
        public int Depth { get; private set; } = int.MaxValue;

        /// <summary>Closed loop: per request, the pause before it since the file's previous event (an arrival or a request done).</summary>
        public long[] Think { get; private set; } = [];

        public int Next { get; set; }

        public int InFlight { get; set; }

        public long LastEvent { get; set; }

        public bool Scheduled { get; set; }

        public Queue<Pending> Waits(ThrottleDirection direction) => direction == ThrottleDirection.Read ? ReadWaits : WriteWaits;

        // From the recording: the queue depth (requests between arrival and done at once, at least 1) and each
        // request's pause since the file's last event before it (its previous arrival, or a request done, or the
        // trace's start for the first).
        public void MeasureClosedLoop(TraceRequest[] trace, long origin)
        {
            var outstanding = new PriorityQueue<long, long>();
            var think = new long[Requests.Length];
            long lastArrival = origin, lastDone = origin;
            var depth = 1;
            for (var i = 0; i < Requests.Length; i++)
            {
                ref readonly var request = ref trace[Requests[i]];
                while (outstanding.TryPeek(out var done, out _) && done <= request.ArrivalNs)
                {
                    lastDone = Math.Max(lastDone, outstanding.Dequeue());
                }

                think[i] = request.ArrivalNs - Math.Max(lastArrival, lastDone);
                outstanding.Enqueue(request.DoneNs, request.DoneNs);
                depth = Math.Max(depth, outstanding.Count);
                lastArrival = request.ArrivalNs;
            }

            (Depth, Think) = (depth, think);
        }
    }
}
