using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static unsafe partial class Dokan
    {
        // dokan2.dll's exports are undecorated __stdcall (the one x64 convention); see dokan/dokan.def.

        /// <summary>The library's version without dots (2.3.1 → 231).</summary>
        [LibraryImport(Libraries.Dokan)]
        internal static partial uint DokanVersion();

        /// <summary>Must precede every other call: without it, dokan2.dll raises an exception that ends the process.</summary>
        [LibraryImport(Libraries.Dokan)]
        internal static partial void DokanInit();

        [LibraryImport(Libraries.Dokan)]
        internal static partial void DokanShutdown();

        /// <summary>Mounts and returns once the volume is there; <see cref="DokanResult"/> says why not.</summary>
        [LibraryImport(Libraries.Dokan)]
        internal static partial int DokanCreateFileSystem(DokanOptions* options, DokanOperations* operations, nint* instance);

        /// <summary>WAIT_OBJECT_0 (0) once unmounted, WAIT_TIMEOUT (0x102) after <paramref name="milliseconds"/>.</summary>
        [LibraryImport(Libraries.Dokan)]
        internal static partial uint DokanWaitForFileSystemClosed(nint instance, uint milliseconds);

        /// <summary>Unmounts if still mounted, waits for the callbacks in flight, and frees the instance.</summary>
        [LibraryImport(Libraries.Dokan)]
        internal static partial void DokanCloseHandle(nint instance);

        /// <summary>Unmounts a volume by its mount point, from any process. BOOL.</summary>
        [LibraryImport(Libraries.Dokan)]
        internal static partial int DokanRemoveMountPoint(char* mountPoint);

        /// <summary>
        /// Moves the deadline of the request behind <paramref name="info"/> to now + <paramref name="milliseconds"/>
        /// (at most 300 s); only while its callback runs. BOOL.
        /// </summary>
        [LibraryImport(Libraries.Dokan)]
        internal static partial int DokanResetTimeout(uint milliseconds, DokanFileInfo* info);

        /// <summary>The token of the process behind the request, to be closed with CloseHandle; INVALID_HANDLE_VALUE if none.</summary>
        [LibraryImport(Libraries.Dokan)]
        internal static partial nint DokanOpenRequestorToken(DokanFileInfo* info);
    }
}
