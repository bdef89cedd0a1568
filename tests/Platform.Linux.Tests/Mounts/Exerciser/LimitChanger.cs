using System.Diagnostics;
using System.Globalization;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>
/// Changes the mount's limits every half second while the exerciser runs, by writing commands to
/// <c>.throttlefs/control</c>: each file's own limits (totals, reads and writes apart, bursts, iops-size, the token
/// algorithm, on-change=reset), the mount-wide limits, a live group the files join and leave, and clears. The
/// limits are generous (thousands of operations and hundreds of MiB a second), so they hold the run back now and
/// then without stalling it. Every command is valid: one the mount refuses is remembered and fails the test.
/// The commands come from the seed, but when each lands depends on timing, so a rerun reproduces them only roughly.
/// </summary>
internal sealed class LimitChanger : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly MountedFileSystem _mount;
    private readonly string[] _files;
    private readonly Random _random;
    private readonly CancellationTokenSource _stop = new();
    private readonly Queue<string> _recent = new();
    private readonly List<string> _refused = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Thread _thread;
    private readonly Lock _lock = new();

    public LimitChanger(MountedFileSystem mount, int seed, params string[] files)
    {
        _mount = mount;
        _files = files;
        _random = new Random(seed ^ 0x11A175);
        _thread = new Thread(Loop) { IsBackground = true, Name = "exerciser limit changes" };
        _thread.Start();
    }

    /// <summary>How many writes to the control file were applied.</summary>
    public int Applied { get; private set; }

    public IReadOnlyList<string> Refused
    {
        get
        {
            lock (_lock)
            {
                return [.. _refused];
            }
        }
    }

    /// <summary>The last few changes, with the time since the start, for a failure message.</summary>
    public IReadOnlyList<string> Recent
    {
        get
        {
            lock (_lock)
            {
                return [.. _recent];
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private void Loop()
    {
        while (!_stop.Token.WaitHandle.WaitOne(Interval))
        {
            var lines = Next();
            var text = string.Join(" / ", lines);
            try
            {
                File.WriteAllText(_mount.Control("control"), string.Join('\n', lines) + "\n");
                lock (_lock)
                {
                    Applied++;
                    if (_recent.Count == 6)
                    {
                        _recent.Dequeue();
                    }

                    _recent.Enqueue($"{_clock.Elapsed.TotalSeconds:F1} s: {text}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                string errors;
                try
                {
                    errors = File.ReadAllText(_mount.Control("errors"));
                }
                catch (Exception again) when (again is IOException or UnauthorizedAccessException)
                {
                    errors = $"(.throttlefs/errors unreadable: {again.Message})";
                }

                lock (_lock)
                {
                    _refused.Add($"{text}: {e.Message}\n{errors}");
                }
            }
        }
    }

    private string[] Next()
    {
        var file = _files[_random.Next(_files.Length)];
        return _random.Next(14) switch
        {
            0 => OwnLimits(file, $"iops-total={Iops()}"),
            1 => OwnLimits(file, $"bps-total={Bps()}"),
            2 => OwnLimits(file, $"iops-total={Iops()},bps-total={Bps()}"),
            3 => OwnLimits(file, $"iops-total=0,iops-read={Iops()},iops-write={Iops()}"),
            4 => OwnLimits(file, Burst()),
            5 => OwnLimits(file, $"iops-total={Iops()},iops-size={(_random.Next(2) == 0 ? "16K" : "64K")}"),
            6 => OwnLimits(file, $"iops-total={Iops()},algorithm=token"),
            7 => OwnLimits(file, $"bps-total={Bps()},on-change=reset"),
            8 => [$"clear file {file}"],
            9 => [$"mount bps-total={Bps()}"],
            10 => [$"mount iops-total={2 * Iops()}"],
            11 => ["clear mount"],
            12 => [$"group exerciser iops-total={2 * Iops()},bps-total={Bps()}", $"assign {file} exerciser"],
            _ => [$"unassign {file}"],
        };
    }

    // Each set of a file's own limits starts from the config's (clear first), so no change mixes with an earlier
    // one into something QEMU's rules refuse (a total beside read/write limits, a burst below a new rate).
    private static string[] OwnLimits(string file, string spec) => [$"clear file {file}", $"file {file} {spec}"];

    private string Burst()
    {
        var rate = Iops();
        return $"iops-total={rate},iops-total-max={rate * 2},iops-total-max-length={_random.Next(1, 4)}";
    }

    // 1,500 to 30,000 operations a second, evenly on a log scale: the exerciser makes about 5,000, so two settings
    // in five hold it back.
    private int Iops() => (int)Math.Round(1500 * Math.Pow(20, _random.NextDouble()));

    // 128 MiB to 2 GiB a second.
    private string Bps() => string.Create(CultureInfo.InvariantCulture, $"{(int)Math.Round(128 * Math.Pow(16, _random.NextDouble()))}M");
}
