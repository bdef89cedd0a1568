using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace ThrottleFs.Logging;

/// <summary>
/// Writes log events to the systemd journal through its native socket, one datagram per event with MESSAGE, PRIORITY
/// and SYSLOG_IDENTIFIER, so that <c>journalctl -u mnt-vms.mount</c> shows them with their levels. Used when systemd
/// started the process (it sets <c>INVOCATION_ID</c> for every unit): a mount from fstab logs where the rest of the
/// system does. A lost datagram loses a log line, never a request.
/// </summary>
internal sealed class JournalSink : ILogEventSink, IDisposable
{
    /// <summary>Where the journal listens; <c>THROTTLEFS_JOURNAL_SOCKET</c> points elsewhere (tests).</summary>
    public static string SocketPath => Environment.GetEnvironmentVariable("THROTTLEFS_JOURNAL_SOCKET") ?? "/run/systemd/journal/socket";

    // As the log file words it: strings as they are, not quoted.
    private static readonly MessageTemplateTextFormatter Text = new("{Message:lj}{NewLine}{Exception}", CultureInfo.InvariantCulture);

    private readonly Socket _socket;
    private readonly Lock _lock = new();

    private JournalSink(Socket socket) => _socket = socket;

    /// <summary>Whether systemd started this process (or its parent, which passed the environment on).</summary>
    public static bool StartedBySystemd => Environment.GetEnvironmentVariable("INVOCATION_ID") is { Length: > 0 };

    /// <summary>A sink on the journal's socket, or null when there is none to connect to.</summary>
    public static JournalSink? TryOpen()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
            return new JournalSink(socket);
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    public void Emit(LogEvent logEvent)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        Text.Format(logEvent, text);
        var message = text.ToString().TrimEnd('\n', '\r');

        var datagram = new MemoryStream();
        Field(datagram, "MESSAGE", message);
        Field(datagram, "PRIORITY", Priority(logEvent.Level).ToString(CultureInfo.InvariantCulture));
        Field(datagram, "SYSLOG_IDENTIFIER", "throttlefs");
        try
        {
            lock (_lock)
            {
                _socket.Send(datagram.GetBuffer().AsSpan(0, (int)datagram.Length));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose() => _socket.Dispose();

    // syslog's priorities, as journalctl -p reads them.
    private static int Priority(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => 2,
        LogEventLevel.Error => 3,
        LogEventLevel.Warning => 4,
        LogEventLevel.Information => 6,
        _ => 7,
    };

    // KEY=value, or for a value with a line break the journal's binary form: KEY, newline, its length (64-bit little
    // endian), the value.
    private static void Field(Stream datagram, string key, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        datagram.Write(Encoding.ASCII.GetBytes(key));
        if (Array.IndexOf(bytes, (byte)'\n') < 0)
        {
            datagram.WriteByte((byte)'=');
        }
        else
        {
            datagram.WriteByte((byte)'\n');
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)bytes.Length);
            datagram.Write(length);
        }

        datagram.Write(bytes);
        datagram.WriteByte((byte)'\n');
    }
}
