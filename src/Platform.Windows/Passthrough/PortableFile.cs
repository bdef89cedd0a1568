using Microsoft.Win32.SafeHandles;

namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// One open of a backing file. The <see cref="FileStream"/> only owns the handle (it is the one portable call that
/// creates a file with Unix permission bits): reads and writes go through <see cref="RandomAccess"/> at explicit
/// offsets on <see cref="Handle"/>, never through the stream's position or buffer, so concurrent requests on one open
/// need no lock. The handle reaches the file whatever happens to its name, which is how an unlinked file stays usable.
/// </summary>
internal sealed class PortableFile
{
    private readonly FileStream _stream;

    public PortableFile(PortableNode node, FileStream stream, bool canRead, bool canWrite, bool appends)
    {
        Node = node;
        _stream = stream;
        Handle = stream.SafeFileHandle;
        CanRead = canRead;
        CanWrite = canWrite;
        Appends = appends;
    }

    /// <summary>The node this is an open of; the open holds one lookup of it until it is closed.</summary>
    public PortableNode Node { get; }

    public SafeFileHandle Handle { get; }

    /// <summary>Whether the open allows reading (O_RDONLY or O_RDWR).</summary>
    public bool CanRead { get; }

    /// <summary>Whether the open allows writing (O_WRONLY or O_RDWR).</summary>
    public bool CanWrite { get; }

    /// <summary>Whether every write goes to the end of the file, whatever its offset (O_APPEND).</summary>
    public bool Appends { get; }

    /// <summary>Closes the handle; a request still running on it finishes first (the handle counts its users).</summary>
    public void Close() => _stream.Dispose();
}
