using System.Runtime.InteropServices;
using ThrottleFs.Platform.Windows.Dokan;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Tests.Dokan;

/// <summary>
/// dokan2.dll as the adapter sees it, without a driver: it keeps the options and operations it is given (so tests call
/// the callbacks through the very table dokan2 would), calls Mounted as dokan2 does once the volume is up, and records
/// every timeout reset with the time it came at.
/// </summary>
internal sealed unsafe class RecordingDokanLibrary(TimeProvider time) : IDokanLibrary
{
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private readonly List<(TimeSpan At, uint Milliseconds)> _resets = [];
    private readonly long _start = time.GetTimestamp();

    public uint InstalledVersion { get; init; } = 231;

    public DokanOptions* Options { get; private set; }

    public DokanOperations* Operations { get; private set; }

    public int Inits { get; private set; }

    public int Shutdowns { get; private set; }

    public int ClosedHandles { get; private set; }

    public List<string> RemovedMountPoints { get; } = [];

    /// <summary>The resets asked for so far: when (on the test's clock, from creation) and to how many milliseconds.</summary>
    public IReadOnlyList<(TimeSpan At, uint Milliseconds)> Resets
    {
        get
        {
            lock (_lock)
            {
                return [.. _resets];
            }
        }
    }

    public uint Version() => InstalledVersion;

    public void Init() => Inits++;

    public void Shutdown() => Shutdowns++;

    public int CreateFileSystem(DokanOptions* options, DokanOperations* operations, out nint instance)
    {
        Options = options;
        Operations = operations;
        instance = 1;
        var info = (DokanFileInfo*)NativeMemory.AllocZeroed((nuint)sizeof(DokanFileInfo));
        try
        {
            info->DokanOptions = options;
            var status = operations->Mounted(options->MountPoint, info);
            return status == NtStatus.Success ? DokanResult.Success : DokanResult.MountError;
        }
        finally
        {
            NativeMemory.Free(info);
        }
    }

    public bool WaitForFileSystemClosed(nint instance, uint milliseconds) =>
        _closed.Task.Wait(milliseconds == uint.MaxValue ? Timeout.Infinite : (int)milliseconds);

    public void CloseHandle(nint instance)
    {
        ClosedHandles++;
        _closed.TrySetResult();
    }

    public bool RemoveMountPoint(string mountPoint)
    {
        RemovedMountPoints.Add(mountPoint);
        _closed.TrySetResult();
        return true;
    }

    public bool ResetTimeout(uint milliseconds, DokanFileInfo* info)
    {
        lock (_lock)
        {
            _resets.Add((time.GetElapsedTime(_start), milliseconds));
        }

        return true;
    }
}
