using System.Runtime.InteropServices;
using System.Text;
using ThrottleFs.Platform.Linux.Fuse;
using ThrottleFs.Platform.Linux.Fuse.Kernel;

namespace ThrottleFs.Platform.Linux.Tests;

/// <summary>Builds request bytes as the kernel would send them, and feeds them to a dispatcher.</summary>
internal sealed class FuseRequestBuilder(FuseDispatcher dispatcher, FuseWorkspacePool pool)
{
    private ulong _unique = 2;

    public ulong LastUnique { get; private set; }

    /// <summary>Sends a request; returns its unique id and whether it kept its workspace (it is waiting).</summary>
    public unsafe (ulong Unique, bool Waiting) Send(FuseOpcode opcode, ulong node, params object[] parts)
    {
        var body = new List<byte>();
        foreach (var part in parts)
        {
            body.AddRange(part switch
            {
                string name => Encoding.UTF8.GetBytes(name + "\0"),
                byte[] raw => raw,
                _ => StructBytes(part),
            });
        }

        var unique = _unique += 2;
        LastUnique = unique;
        var header = new FuseInHeader
        {
            Len = (uint)(40 + body.Count),
            Opcode = (uint)opcode,
            Unique = unique,
            NodeId = node,
            Uid = 0,
            Gid = 0,
            Pid = (uint)Environment.ProcessId,
        };
        var workspace = pool.Rent();
        var request = new Span<byte>(workspace.Buffer.Request, workspace.Buffer.RequestCapacity);
        MemoryMarshal.Write(request, in header);
        body.ToArray().CopyTo(request[40..]);
        var waiting = dispatcher.Dispatch(workspace, (int)header.Len);
        if (!waiting)
        {
            pool.Return(workspace);
        }

        return (unique, waiting);
    }

    /// <summary>Sends raw bytes, header included, as a malformed request would arrive.</summary>
    public unsafe void SendRaw(byte[] bytes)
    {
        var workspace = pool.Rent();
        bytes.CopyTo(new Span<byte>(workspace.Buffer.Request, workspace.Buffer.RequestCapacity));
        if (!dispatcher.Dispatch(workspace, bytes.Length))
        {
            pool.Return(workspace);
        }
    }

    private static byte[] StructBytes(object value)
    {
        var size = Marshal.SizeOf(value);
        var bytes = new byte[size];
        var handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        try
        {
            Marshal.StructureToPtr(value, handle.AddrOfPinnedObject(), false);
        }
        finally
        {
            handle.Free();
        }

        return bytes;
    }
}
