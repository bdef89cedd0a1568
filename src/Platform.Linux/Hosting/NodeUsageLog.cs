using Serilog;
using Serilog.Events;
using ThrottleFs.Platform.Linux.Passthrough;

namespace ThrottleFs.Platform.Linux.Hosting;

/// <summary>
/// At the Debug level, a line every few seconds while it changes: how many nodes the kernel holds, the descriptors
/// the daemon holds for them and for open files, and the managed heap, which is where the nodes' memory is. It says
/// what a big tree costs the daemon (a few hundred bytes a node, no descriptor), and how close opens are to EMFILE.
/// </summary>
internal sealed class NodeUsageLog : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);
    private readonly PassthroughFileSystem _passthrough;
    private readonly ILogger _log;
    private readonly Timer _timer;
    private NodeUsage _last;

    public NodeUsageLog(PassthroughFileSystem passthrough, ILogger log)
    {
        _passthrough = passthrough;
        _log = log;
        var budget = passthrough.Budget;
        log.Debug(
            "Descriptors: open-file limit {Limit}; opens refused beyond {Ceiling} held; up to {Capacity} idle node descriptors cached",
            budget.Limit, budget.Ceiling, budget.CacheCapacity);
        _timer = new Timer(_ => Report(), null, Period, Period);
    }

    public void Dispose() => _timer.Dispose();

    private void Report()
    {
        var usage = _passthrough.Usage;
        if (usage == _last || !_log.IsEnabled(LogEventLevel.Debug))
        {
            return;
        }

        _last = usage;
        _log.Debug(
            "Nodes: {Nodes} known; descriptors: {Held} held ({NodeDescriptors} for nodes, {IdleDescriptors} of them idle), opens refused beyond {Ceiling}; managed heap {HeapBytes} bytes",
            usage.Nodes, usage.Held, usage.NodeDescriptors, usage.IdleDescriptors, usage.Ceiling, GC.GetTotalMemory(forceFullCollection: false));
    }
}
