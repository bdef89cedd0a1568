using System.Runtime.InteropServices;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Fuse;
using ThrottleFs.Platform.Linux.Fuse.Kernel;

namespace ThrottleFs.Platform.Linux.Tests;

/// <summary>
/// A reply channel that keeps every reply, for protocol tests without a device, and answers each with
/// <paramref name="answer"/> (ENOENT: as a device that did not deliver the request).
/// </summary>
internal sealed class RecordingChannel(Errno answer = Errno.Success) : IFuseChannel
{
    private readonly Lock _lock = new();
    private readonly List<byte[]> _replies = [];
    private readonly SemaphoreSlim _arrived = new(0);

    public Errno Send(ReadOnlySpan<byte> reply)
    {
        lock (_lock)
        {
            _replies.Add(reply.ToArray());
        }

        _arrived.Release();
        return answer;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _replies.Count;
            }
        }
    }

    /// <summary>The reply to <paramref name="unique"/>, waiting for it if it comes from another thread.</summary>
    public Reply WaitFor(ulong unique, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            lock (_lock)
            {
                var found = _replies.FirstOrDefault(r => MemoryMarshal.Read<FuseOutHeader>(r).Unique == unique);
                if (found is not null)
                {
                    return new Reply(found);
                }
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !_arrived.Wait(left))
            {
                throw new TimeoutException($"no reply to request {unique}");
            }
        }
    }

    public bool HasReplyTo(ulong unique)
    {
        lock (_lock)
        {
            return _replies.Any(r => MemoryMarshal.Read<FuseOutHeader>(r).Unique == unique);
        }
    }
}

/// <summary>One reply: its header and payload.</summary>
internal sealed class Reply(byte[] bytes)
{
    public byte[] Bytes { get; } = bytes;

    public FuseOutHeader Header => MemoryMarshal.Read<FuseOutHeader>(Bytes);

    public Errno Error => (Errno)(-Header.Error);

    public ReadOnlySpan<byte> Payload => Bytes.AsSpan(16);

    public T Read<T>()
        where T : unmanaged => MemoryMarshal.Read<T>(Payload);
}
