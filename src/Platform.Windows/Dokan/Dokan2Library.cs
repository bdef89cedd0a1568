using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>dokan2.dll itself. Elsewhere than on Windows, <see cref="Version"/> says it is not there.</summary>
internal sealed unsafe class Dokan2Library : IDokanLibrary
{
    public uint Version() => OperatingSystem.IsWindows() ? DokanVersion() : throw new PlatformNotSupportedException("Dokan runs only on Windows");

    public void Init() => DokanInit();

    public void Shutdown() => DokanShutdown();

    public int CreateFileSystem(DokanOptions* options, DokanOperations* operations, out nint instance)
    {
        nint handle;
        var result = DokanCreateFileSystem(options, operations, &handle);
        instance = handle;
        return result;
    }

    public bool WaitForFileSystemClosed(nint instance, uint milliseconds) =>
        DokanWaitForFileSystemClosed(instance, milliseconds) == 0; // WAIT_OBJECT_0

    public void CloseHandle(nint instance) => DokanCloseHandle(instance);

    public bool RemoveMountPoint(string mountPoint)
    {
        fixed (char* point = mountPoint)
        {
            return DokanRemoveMountPoint(point) != 0;
        }
    }

    public bool ResetTimeout(uint milliseconds, DokanFileInfo* info) => DokanResetTimeout(milliseconds, info) != 0;
}
