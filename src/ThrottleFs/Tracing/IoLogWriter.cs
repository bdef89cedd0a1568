using System.Globalization;
using System.Text;
using ThrottleFs.Qos;

namespace ThrottleFs.Tracing;

/// <summary>
/// Writes trace records as fio's iolog version 3, so that <c>fio --read_iolog</c> replays a trace:
/// <code>
/// fio version 3 iolog
/// 0 images/vm1.qcow2 add
/// 0 images/vm1.qcow2 open
/// 0 images/vm1.qcow2 read 1048576 4096 0 12
/// 132 images/vm1.qcow2 write 8192 4096 2500 40
/// 9810 images/vm1.qcow2 close
/// </code>
/// Each request line is fio's <c>timestamp name action offset length</c>, the timestamp in microseconds since the
/// trace started, then two columns of ours that fio's parser reads past: microseconds the request waited for its
/// buckets and microseconds the backing store took. A file is added and opened before its first request and closed
/// when the trace ends.
/// </summary>
internal sealed class IoLogWriter
{
    /// <summary>The first line of every version 3 iolog.</summary>
    public const string Header = "fio version 3 iolog";

    private readonly StreamWriter _text;
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal); // path → name as written

    /// <summary>Starts a log on <paramref name="stream"/>, which it then owns.</summary>
    public IoLogWriter(Stream stream)
    {
        _text = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        _text.WriteLine(Header);
    }

    /// <summary>Writes one request, after the lines that add and open its file when it is the file's first.</summary>
    public void Append(in TraceRecord record)
    {
        var path = record.File.Path;
        if (!_names.TryGetValue(path, out var name))
        {
            name = TraceNames.Write(path);
            _names.Add(path, name);
            FileLine(record.ArrivalNs, name, "add");
            FileLine(record.ArrivalNs, name, "open");
        }

        Number(record.ArrivalNs / 1000);
        _text.Write(' ');
        _text.Write(name);
        _text.Write(record.Direction == ThrottleDirection.Read ? " read " : " write ");
        Number(record.Offset);
        _text.Write(' ');
        Number(record.Length);
        _text.Write(' ');
        Number(record.WaitNs / 1000);
        _text.Write(' ');
        Number(record.ServiceNs / 1000);
        _text.WriteLine();
    }

    /// <summary>Hands what is written to the kernel, so a reader of the trace file sees it.</summary>
    public void Flush() => _text.Flush();

    /// <summary>Closes every file in the trace at <paramref name="endNs"/>, then the trace file, synced to disk.</summary>
    public void Close(long endNs)
    {
        foreach (var name in _names.Values)
        {
            FileLine(endNs, name, "close");
        }

        _text.Flush();
        if (_text.BaseStream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }

        _text.Dispose();
    }

    /// <summary>Gives up on the trace file after a write failed: closes it, ignoring further errors.</summary>
    public void Abandon()
    {
        try
        {
            _text.Dispose();
        }
        catch (IOException)
        {
        }
    }

    private void FileLine(long ns, string name, string action)
    {
        Number(ns / 1000);
        _text.Write(' ');
        _text.Write(name);
        _text.Write(' ');
        _text.WriteLine(action);
    }

    // TextWriter.Write(long) makes a string per number; a trace writes five per request.
    private void Number(long value)
    {
        Span<char> digits = stackalloc char[20];
        value.TryFormat(digits, out var length, default, CultureInfo.InvariantCulture);
        _text.Write(digits[..length]);
    }
}
