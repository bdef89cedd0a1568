using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>
/// The calls ThrottleFs makes into dokan2.dll, behind an interface so that everything above them (the callbacks,
/// the waits that keep a request alive, the mount's life) runs in tests on any system with a recording fake.
/// <see cref="Dokan2Library"/> is the real one.
/// </summary>
internal unsafe interface IDokanLibrary
{
    /// <summary><c>DokanVersion</c>: the library's version, 231 for 2.3.1.</summary>
    uint Version();

    /// <summary><c>DokanInit</c>, once per process before anything else.</summary>
    void Init();

    /// <summary><c>DokanShutdown</c>, once at the end.</summary>
    void Shutdown();

    /// <summary><c>DokanCreateFileSystem</c>: mounts, and returns once the volume is up; a DokanResult code.</summary>
    int CreateFileSystem(DokanOptions* options, DokanOperations* operations, out nint instance);

    /// <summary><c>DokanWaitForFileSystemClosed</c>: true once the volume is gone, false after <paramref name="milliseconds"/>.</summary>
    bool WaitForFileSystemClosed(nint instance, uint milliseconds);

    /// <summary><c>DokanCloseHandle</c>: unmounts if still mounted, waits for the callbacks in flight, frees.</summary>
    void CloseHandle(nint instance);

    /// <summary><c>DokanRemoveMountPoint</c>: unmounts a volume, also one served by another process.</summary>
    bool RemoveMountPoint(string mountPoint);

    /// <summary>
    /// <c>DokanResetTimeout</c>: gives the request behind <paramref name="info"/> <paramref name="milliseconds"/> more
    /// before the driver fails it. Valid only while that request's callback runs.
    /// </summary>
    bool ResetTimeout(uint milliseconds, DokanFileInfo* info);
}
