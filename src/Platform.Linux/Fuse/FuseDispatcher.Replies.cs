using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse.Kernel;

namespace ThrottleFs.Platform.Linux.Fuse;

internal sealed partial class FuseDispatcher
{
    /// <summary>An error (or bare success) reply: exactly the 16-byte header, as the kernel insists.</summary>
    private void ReplyStatus(FuseReplyTo to, Errno error)
    {
        Span<byte> reply = stackalloc byte[FuseProtocol.OutHeaderSize];
        WriteHeader(reply, to.Unique, error, 0);
        Send(reply, to, error, 0);
    }

    /// <summary>A reply carrying one fixed-size struct (entry_out, attr_out, open_out, ...).</summary>
    private void Reply<T>(FuseReplyTo to, in T payload)
        where T : unmanaged
    {
        var size = Marshal.SizeOf<T>();
        Span<byte> reply = stackalloc byte[FuseProtocol.OutHeaderSize + size];
        WriteHeader(reply, to.Unique, Errno.Success, size);
        MemoryMarshal.Write(reply[FuseProtocol.OutHeaderSize..], in payload);
        Send(reply, to, Errno.Success, size);
    }

    /// <summary>CREATE answers with an entry and an open file back to back.</summary>
    private void Reply<T1, T2>(FuseReplyTo to, in T1 first, in T2 second)
        where T1 : unmanaged
        where T2 : unmanaged
    {
        var size1 = Marshal.SizeOf<T1>();
        var size = size1 + Marshal.SizeOf<T2>();
        Span<byte> reply = stackalloc byte[FuseProtocol.OutHeaderSize + size];
        WriteHeader(reply, to.Unique, Errno.Success, size);
        MemoryMarshal.Write(reply[FuseProtocol.OutHeaderSize..], in first);
        MemoryMarshal.Write(reply[(FuseProtocol.OutHeaderSize + size1)..], in second);
        Send(reply, to, Errno.Success, size);
    }

    /// <summary>
    /// A reply whose data already sits in the workspace right after <paramref name="headerOffset"/> + 16: the
    /// header is written in front of it and both go out in one write, with no copy.
    /// </summary>
    private void ReplyInPlace(FuseWorkspace workspace, int headerOffset, FuseReplyTo to, int dataLength)
    {
        var reply = workspace.Buffer.Bytes.Slice(headerOffset, FuseProtocol.OutHeaderSize + dataLength);
        WriteHeader(reply, to.Unique, Errno.Success, dataLength);
        Send(reply, to, Errno.Success, dataLength);
    }

    // The reply lies in a pipe, header first (FuseReadTarget); the device takes it whole or not at all.
    private void ReplySpliced(FuseReadTarget target, FuseReplyTo to, int dataLength)
    {
        if (dataLength != target.SplicedBytes)
        {
            target.Reset(); // a layer above the filesystem changed the count: the header in the pipe does not say it
            ReplyStatus(to, Errno.EIO);
            return;
        }

        _trace?.Reply(to.Unique, Errno.Success, dataLength);
        var error = target.SendSpliced(((FuseDevice)to.Channel).Fd);
        if (error is not (Errno.Success or Errno.ENOENT or Errno.ENODEV))
        {
            ReplyStatus(to, Errno.EIO); // the kernel refused the reply, so the caller still waits for one
        }
    }

    /// <summary>
    /// Tells the kernel that what it cached of a node's attributes is stale (FUSE_NOTIFY_INVAL_INODE with a negative
    /// offset: attributes only). Sent before the reply to the request that changed them, so the caller sees the change.
    /// </summary>
    private void NotifyAttributesChanged(ulong node)
    {
        Span<byte> message = stackalloc byte[FuseProtocol.OutHeaderSize + Marshal.SizeOf<FuseNotifyInvalInodeOut>()];
        var header = new FuseOutHeader { Len = (uint)message.Length, Error = FuseProtocol.NotifyInvalInode, Unique = 0 };
        MemoryMarshal.Write(message, in header);
        MemoryMarshal.Write(message[FuseProtocol.OutHeaderSize..], new FuseNotifyInvalInodeOut { Ino = node, Off = -1, Len = 0 });
        _trace?.Note($"notify INVAL_INODE n{node}");
        _channel.Send(message);
    }

    private static void WriteHeader(Span<byte> reply, ulong unique, Errno error, int payload)
    {
        var header = new FuseOutHeader
        {
            Len = (uint)(FuseProtocol.OutHeaderSize + (error == Errno.Success ? payload : 0)),
            Error = -(int)error,
            Unique = unique,
        };
        MemoryMarshal.Write(reply, in header);
    }

    private void Send(ReadOnlySpan<byte> reply, FuseReplyTo to, Errno error, int payload)
    {
        _trace?.Reply(to.Unique, error, payload);
        to.Channel.Send(reply);
    }
}
