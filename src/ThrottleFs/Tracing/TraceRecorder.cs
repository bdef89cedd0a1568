using System.Text;
using ThrottleFs.Configuration;
using ThrottleFs.Qos;
using ThrottleFs.Throttling;

namespace ThrottleFs.Tracing;

/// <summary>
/// One running trace: every read and write that reaches the throttle of a file it includes is appended by the thread
/// that finished it to that thread's <see cref="TraceBuffer"/>, and one background thread drains the buffers every
/// <see cref="FlushEvery"/> (sooner when one is half full) and writes the records as fio's iolog (version 3, <see cref="IoLogWriter"/>). Requests never
/// wait for the trace file: a record that finds its thread's buffer full is dropped and counted.
/// </summary>
internal sealed class TraceRecorder : IDisposable
{
    /// <summary>Records one thread can hold between two drains: at 40,000 requests a second on one thread, 200 ms; the writer is woken at half.</summary>
    public const int BufferCapacity = 8192;

    /// <summary>How often the writer drains the buffers.</summary>
    public static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(100);

    [ThreadStatic]
    private static TraceBuffer? t_buffer;

    [ThreadStatic]
    private static TraceRecorder? t_owner;

    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly double _nsPerTick;
    private readonly PathGlob? _files;
    private readonly Lock _buffersLock = new();
    private readonly List<TraceBuffer> _buffers = [];
    private readonly IoLogWriter _log;
    private readonly Thread _writer;
    private readonly ManualResetEventSlim _wake = new();
    private volatile bool _stopping;
    private long _written;
    private Exception? _failure;

    /// <summary>Starts a trace into <paramref name="output"/> (created or truncated).</summary>
    /// <param name="output">The trace file.</param>
    /// <param name="files">Only files matching this pattern, or every file.</param>
    /// <param name="time">The clock requests are stamped with.</param>
    /// <exception cref="IOException">The trace file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The trace file cannot be written.</exception>
    public TraceRecorder(string output, PathGlob? files, TimeProvider time)
    {
        Output = output;
        _files = files;
        _time = time;
        _nsPerTick = 1e9 / time.TimestampFrequency;
        _log = new IoLogWriter(new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16));
        StartedAt = time.GetUtcNow();
        _start = time.GetTimestamp();
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "throttlefs trace writer" };
        _writer.Start();
    }

    /// <summary>The trace file.</summary>
    public string Output { get; }

    /// <summary>The pattern of the files traced, or null for every file.</summary>
    public string? Files => _files?.Pattern;

    /// <summary>When the trace started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Requests written to the trace file so far.</summary>
    public long Written => Volatile.Read(ref _written);

    /// <summary>Requests dropped so far because a thread's buffer was full.</summary>
    public long Dropped
    {
        get
        {
            lock (_buffersLock)
            {
                return _buffers.Sum(buffer => Volatile.Read(ref buffer.Dropped));
            }
        }
    }

    /// <summary>Why the trace file could not be written, once it could not; the trace then records nothing more.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>
    /// Whether requests to <paramref name="file"/> are traced. With <c>files=</c> the pattern is matched per request:
    /// a cached answer would be a field on every file, traced or not, for the few traces that name files.
    /// </summary>
    public bool Includes(FileThrottle file) => _files is null || _files.IsMatch(file.Path);

    /// <summary>A timestamp of the trace's clock, for <see cref="Record"/>.</summary>
    public long Now() => _time.GetTimestamp();

    /// <summary>Appends one finished request. Takes no lock and allocates nothing once the thread has its buffer.</summary>
    /// <param name="file">The file.</param>
    /// <param name="direction">Read or write.</param>
    /// <param name="offset">Where in the file.</param>
    /// <param name="length">How many bytes were asked for.</param>
    /// <param name="arrived">When the request reached the throttle (<see cref="Now"/>).</param>
    /// <param name="admitted">When every layer had admitted it (or refused it).</param>
    /// <param name="done">When the backing store had done it.</param>
    public void Record(FileThrottle file, ThrottleDirection direction, long offset, int length, long arrived, long admitted, long done)
    {
        var buffer = t_owner == this ? t_buffer! : Register();
        if (buffer.Append(new TraceRecord(
            file, direction, offset, length,
            Nanoseconds(arrived - _start), Nanoseconds(admitted - arrived), Nanoseconds(done - admitted))))
        {
            _wake.Set();
        }
    }

    /// <summary>Stops the trace: the writer drains what is left, closes the files in the trace and the trace file.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _wake.Set();
        _writer.Join();

        // _wake is not disposed: a request that read the switch before the stop may still append and wake it.
    }

    private long Nanoseconds(long ticks) => (long)(ticks * _nsPerTick);

    // The calling thread's first record in this trace: a buffer of its own.
    private TraceBuffer Register()
    {
        var buffer = new TraceBuffer(BufferCapacity);
        lock (_buffersLock)
        {
            _buffers.Add(buffer);
        }

        (t_buffer, t_owner) = (buffer, this);
        return buffer;
    }

    private void WriteLoop()
    {
        var batch = new List<TraceRecord>(BufferCapacity);
        var arrivals = new long[BufferCapacity];
        var order = new int[BufferCapacity];
        var buffers = new List<TraceBuffer>();
        var lastNs = 0L;
        while (true)
        {
            _wake.Wait(FlushEvery);
            _wake.Reset(); // a wake lost to this race costs one round's wait, not a record
            var last = _stopping;
            buffers.Clear();
            lock (_buffersLock)
            {
                buffers.AddRange(_buffers);
            }

            batch.Clear();
            foreach (var buffer in buffers)
            {
                buffer.DrainInto(batch);
            }

            // Threads finish requests out of order; within a batch the lines go in order of arrival. A request that
            // waited longer than a batch lands after later arrivals, and fio replays it at once. The sort moves the
            // arrival times and indexes, not the records.
            if (arrivals.Length < batch.Count)
            {
                (arrivals, order) = (new long[batch.Count], new int[batch.Count]);
            }

            for (var i = 0; i < batch.Count; i++)
            {
                (arrivals[i], order[i]) = (batch[i].ArrivalNs, i);
            }

            Array.Sort(arrivals, order, 0, batch.Count);
            if (Failure is null)
            {
                try
                {
                    var records = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch);
                    foreach (var i in order.AsSpan(0, batch.Count))
                    {
                        ref readonly var record = ref records[i];
                        _log.Append(record);
                        lastNs = Math.Max(lastNs, record.ArrivalNs + record.WaitNs + record.ServiceNs);
                    }

                    if (last)
                    {
                        _log.Close(lastNs);
                    }
                    else
                    {
                        _log.Flush();
                    }

                    Interlocked.Add(ref _written, batch.Count);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Volatile.Write(ref _failure, e);
                    _log.Abandon();
                }
            }

            if (last)
            {
                if (Failure is not null)
                {
                    _log.Abandon();
                }

                return;
            }
        }
    }
}
