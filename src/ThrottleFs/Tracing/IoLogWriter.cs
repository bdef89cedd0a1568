using System.Buffers.Text;
using System.Text;
using ThrottleFs.Qos;
using ThrottleFs.Throttling;

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

    // A line is the name and at most five numbers of 20 digits, an action and blanks.
    private const int LineSpare = 5 * 20 + 32;

    private readonly Stream _stream;
    private readonly Dictionary<string, byte[]> _names = new(StringComparer.Ordinal); // path → name as written, in UTF-8
    private readonly Dictionary<FileThrottle, byte[]> _byFile = new(ReferenceEqualityComparer.Instance);
    private FileThrottle? _lastFile;
    private byte[] _lastName = [];
    private byte[] _buffer = new byte[1 << 16];
    private int _used;

    /// <summary>Starts a log on <paramref name="stream"/>, which it then owns.</summary>
    public IoLogWriter(Stream stream)
    {
        _stream = stream;
        Text(Header);
        Text("\n");
    }

    /// <summary>Writes one request, after the lines that add and open its file when it is the file's first.</summary>
    /// <remarks>
    /// Formats straight into bytes: a trace at tens of thousands of requests a second writes as many lines, on a
    /// thread that shares the machine with the I/O it records.
    /// </remarks>
    public void Append(in TraceRecord record)
    {
        var name = NameOf(record);

        Reserve(name.Length + LineSpare);
        Number(record.ArrivalNs / 1000);
        Byte((byte)' ');
        Bytes(name);
        Bytes(record.Direction == ThrottleDirection.Read ? " read "u8 : " write "u8);
        Number(record.Offset);
        Byte((byte)' ');
        Number(record.Length);
        Byte((byte)' ');
        Number(record.WaitNs / 1000);
        Byte((byte)' ');
        Number(record.ServiceNs / 1000);
        Byte((byte)'\n');
    }

    /// <summary>Hands what is written to the kernel, so a reader of the trace file sees it.</summary>
    public void Flush()
    {
        _stream.Write(_buffer, 0, _used);
        _used = 0;
        _stream.Flush();
    }

    /// <summary>Closes every file in the trace at <paramref name="endNs"/>, then the trace file, synced to disk.</summary>
    public void Close(long endNs)
    {
        foreach (var name in _names.Values)
        {
            FileLine(endNs, name, "close"u8);
        }

        Flush();
        if (_stream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }

        _stream.Dispose();
    }

    /// <summary>Gives up on the trace file after a write failed: closes it, ignoring further errors.</summary>
    public void Abandon()
    {
        try
        {
            _stream.Dispose();
        }
        catch (IOException)
        {
        }
    }

    // Found by the file's reference (most lines name the file of the line before); by path the first time a file is
    // seen, since a file can come back as a new FileThrottle after it was forgotten, and then it is added and opened.
    private byte[] NameOf(in TraceRecord record)
    {
        var file = record.File;
        if (file == _lastFile)
        {
            return _lastName;
        }

        if (!_byFile.TryGetValue(file, out var name))
        {
            var path = file.Path;
            if (!_names.TryGetValue(path, out name))
            {
                name = Encoding.UTF8.GetBytes(TraceNames.Write(path));
                _names.Add(path, name);
                FileLine(record.ArrivalNs, name, "add"u8);
                FileLine(record.ArrivalNs, name, "open"u8);
            }

            _byFile.Add(file, name);
        }

        (_lastFile, _lastName) = (file, name);
        return name;
    }

    private void FileLine(long ns, byte[] name, ReadOnlySpan<byte> action)
    {
        Reserve(name.Length + LineSpare);
        Number(ns / 1000);
        Byte((byte)' ');
        Bytes(name);
        Byte((byte)' ');
        Bytes(action);
        Byte((byte)'\n');
    }

    private void Text(string text)
    {
        Reserve(Encoding.UTF8.GetMaxByteCount(text.Length));
        _used += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_used));
    }

    // Room for what comes: the buffer goes to the file when full, and grows for a name longer than it.
    private void Reserve(int bytes)
    {
        if (_used + bytes > _buffer.Length)
        {
            _stream.Write(_buffer, 0, _used);
            _used = 0;
            if (bytes > _buffer.Length)
            {
                _buffer = new byte[bytes];
            }
        }
    }

    private void Number(long value)
    {
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_used), out var written);
        _used += written;
    }

    private void Byte(byte value) => _buffer[_used++] = value;

    private void Bytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }
}
