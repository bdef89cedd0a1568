using System.Runtime.InteropServices;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>
/// One mounted Dokan volume: the options, the operations table and the mount point string in native memory (dokan2
/// keeps pointers to all three, and edits the options), the GCHandle through which callbacks find their dispatcher,
/// and the instance handle. Dispose unmounts, waits for the callbacks in flight (DokanCloseHandle) and only then frees.
/// </summary>
internal sealed unsafe class DokanMount : IDisposable
{
    // The version the structures are written for; dokan2 only checks that it is at least 200.
    private const ushort StructureVersion = 200;

    private readonly IDokanLibrary _dokan;
    private readonly DokanDispatcher _dispatcher;
    private DokanOptions* _options;
    private DokanOperations* _operations;
    private char* _mountPoint;
    private GCHandle _self;
    private nint _instance;

    private DokanMount(IDokanLibrary dokan, DokanDispatcher dispatcher)
    {
        _dokan = dokan;
        _dispatcher = dispatcher;
    }

    /// <summary>The options as dokan2 sees them (tests read and call through these).</summary>
    public DokanOptions* Options => _options;

    /// <summary>The operations table dokan2 calls.</summary>
    public DokanOperations* Operations => _operations;

    /// <summary>
    /// Mounts <paramref name="dispatcher"/> at <paramref name="mountPoint"/> (a drive letter "T:\" or an empty NTFS
    /// folder) and returns once Windows shows the volume.
    /// </summary>
    /// <exception cref="DokanMountException">dokan2 refused; the message says why in the user's terms.</exception>
    public static DokanMount Start(IDokanLibrary dokan, DokanDispatcher dispatcher, string mountPoint, TimeSpan driverTimeout, bool readOnly)
    {
        var mount = new DokanMount(dokan, dispatcher);
        try
        {
            mount.Allocate(mountPoint, driverTimeout, readOnly);
            var result = dokan.CreateFileSystem(mount._options, mount._operations, out mount._instance);
            if (result != DokanResult.Success)
            {
                throw new DokanMountException(result, $"cannot mount at '{mountPoint}': {DokanResult.Describe(result)}");
            }

            return mount;
        }
        catch
        {
            mount.Free();
            throw;
        }
    }

    /// <summary>Waits until the volume is gone (unmounted from elsewhere); false after <paramref name="timeout"/>.</summary>
    public bool WaitForClosed(TimeSpan timeout) =>
        _dokan.WaitForFileSystemClosed(_instance, timeout == Timeout.InfiniteTimeSpan ? uint.MaxValue : (uint)Math.Min(timeout.TotalMilliseconds, uint.MaxValue - 1));

    /// <summary>Unmounts (if still mounted), waits for the callbacks in flight to return, then frees.</summary>
    public void Dispose()
    {
        if (_instance != 0)
        {
            _dokan.CloseHandle(_instance);
            _instance = 0;
        }

        _dispatcher.CloseAll();
        Free();
    }

    private void Allocate(string mountPoint, TimeSpan driverTimeout, bool readOnly)
    {
        _self = GCHandle.Alloc(_dispatcher);
        _mountPoint = (char*)NativeMemory.AllocZeroed((nuint)(mountPoint.Length + 1), sizeof(char));
        mountPoint.AsSpan().CopyTo(new Span<char>(_mountPoint, mountPoint.Length));
        _operations = DokanCallbacks.Allocate();
        _options = (DokanOptions*)NativeMemory.AllocZeroed((nuint)sizeof(DokanOptions));
        _options->Version = StructureVersion;
        _options->SingleThread = 0; // one thread hangs Explorer
        // IPC batching lets dokan2 hand extra requests to a pool that grows with load, so reads held by a throttle
        // cannot use up the pull threads and stall opens and listings of other files behind them.
        _options->Options = (uint)(DokanOptionFlags.AllowIpcBatching | (readOnly ? DokanOptionFlags.WriteProtect : 0));
        _options->GlobalContext = (ulong)GCHandle.ToIntPtr(_self);
        _options->MountPoint = _mountPoint;
        _options->Timeout = (uint)driverTimeout.TotalMilliseconds;
        _options->AllocationUnitSize = 4096;
        _options->SectorSize = 512; // what disks and VM images expect unbuffered I/O to be aligned to
    }

    private void Free()
    {
        NativeMemory.Free(_options);
        NativeMemory.Free(_operations);
        NativeMemory.Free(_mountPoint);
        _options = null;
        _operations = null;
        _mountPoint = null;
        if (_self.IsAllocated)
        {
            _self.Free();
        }
    }
}
