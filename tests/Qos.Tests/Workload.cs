namespace ThrottleFs.Qos.Tests;

/// <summary>
/// A closed-loop client under virtual time: keeps <c>depth</c> requests outstanding and counts admissions. QEMU's
/// scenarios assume a client that issues its next request the instant one is admitted; with enough requests
/// queued, admissions happen at exactly the same times, fired by the group's timers inside
/// <see cref="VirtualClock.Advance"/>.
/// </summary>
public sealed class Workload
{
    private readonly Func<ValueTask> _submit;
    private readonly Queue<ValueTask> _pending = new();
    private readonly int _depth;

    public Workload(Func<ValueTask> submit, int depth = 64)
    {
        _submit = submit;
        _depth = depth;
    }

    public Workload(ThrottleGroupMember member, ThrottleDirection direction, long bytes, int depth = 64)
        : this(() => member.AdmitAsync(direction, bytes), depth)
    {
    }

    public Workload(ThrottleChain chain, ThrottleDirection direction, long bytes, int depth = 64)
        : this(() => chain.AdmitAsync(direction, bytes), depth)
    {
    }

    /// <summary>Requests admitted so far (as of the last <see cref="Pump"/>).</summary>
    public int Admitted { get; private set; }

    public int Outstanding => _pending.Count;

    /// <summary>Counts admissions and tops the queue back up.</summary>
    public int Pump(int maxSubmissions = 1_000_000)
    {
        Collect();
        while (_pending.Count < _depth && maxSubmissions-- > 0)
        {
            var task = _submit();
            if (task.IsCompleted)
            {
                task.GetAwaiter().GetResult();
                Admitted++;
            }
            else
            {
                _pending.Enqueue(task);
            }
        }

        return Admitted;
    }

    /// <summary>Counts admissions without submitting more.</summary>
    public int Collect()
    {
        // Admissions complete in FIFO order for one member and direction, so the head tells the whole story.
        while (_pending.Count > 0 && _pending.Peek().IsCompleted)
        {
            _pending.Dequeue().GetAwaiter().GetResult();
            Admitted++;
        }

        return Admitted;
    }

    /// <summary>Runs every workload until <paramref name="until"/> (absolute virtual time), topping up every <paramref name="step"/>.</summary>
    public static void Run(VirtualClock clock, TimeSpan until, TimeSpan step, params Workload[] workloads)
    {
        foreach (var workload in workloads)
        {
            workload.Pump();
        }

        while (clock.Elapsed < until)
        {
            var next = clock.Elapsed + step;
            clock.AdvanceTo(next < until ? next : until);
            foreach (var workload in workloads)
            {
                workload.Pump();
            }
        }
    }
}
