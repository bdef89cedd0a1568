using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// The <c>--trace</c> log: one line per request and one per reply, by name, like go-fuse's debug output. Lines are
/// written whole so concurrent readers do not interleave them. Without a writer, lines go to standard error.
/// </summary>
internal sealed class FuseTrace(TextWriter? output)
{
    private readonly Lock _lock = new();

    public void Request(in FuseRequest request, string name, string details)
    {
        var line = $"{DateTime.UtcNow:HH:mm:ss.ffffff} rx {request.Unique}: {name} n{request.Node} {details}";
        Write(line);
    }

    public void Reply(ulong unique, Errno error, int payload)
    {
        var line = error == Errno.Success
            ? $"{DateTime.UtcNow:HH:mm:ss.ffffff} tx {unique}: OK {payload} bytes"
            : $"{DateTime.UtcNow:HH:mm:ss.ffffff} tx {unique}: {error}";
        Write(line);
    }

    public void Note(string text) => Write($"{DateTime.UtcNow:HH:mm:ss.ffffff} -- {text}");

    private void Write(string line)
    {
        lock (_lock)
        {
            // Standard error is looked up each time: a daemon points it at its log once the mount is up.
            var target = output ?? Console.Error;
            target.WriteLine(line);
            target.Flush();
        }
    }
}
