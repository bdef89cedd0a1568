internal static partial class Interop
{
    internal static partial class Dokan
    {
        /// <summary><c>DOKAN_OPTION_*</c> (dokan.h, v2): the bits of <see cref="DokanOptions.Options"/>.</summary>
        [Flags]
        internal enum DokanOptionFlags : uint
        {
            None = 0,

            /// <summary>Debug output (to the debugger) from dokan2.dll.</summary>
            DebugMode = 1,

            /// <summary>Debug output to stderr.</summary>
            Stderr = 2,

            /// <summary>Named streams (FindStreams, "file:stream"); we do not offer them.</summary>
            AltStream = 4,

            /// <summary>A read-only volume: the kernel refuses writes before they reach us.</summary>
            WriteProtect = 8,

            /// <summary>A network drive (needs UNCName and a drive letter); dropped on folder mounts.</summary>
            Network = 16,

            /// <summary>A removable drive; unmounts unexpectedly (dokany#843), so never set.</summary>
            Removable = 32,

            /// <summary>The mount manager names the volume (needed for the recycle bin).</summary>
            MountManager = 64,

            /// <summary>Visible only in the mounting session; hides the drive from services (dokany#1196).</summary>
            CurrentSession = 128,

            /// <summary>Let LockFile/UnlockFile reach the file system instead of the kernel keeping the locks.</summary>
            FileLockUserMode = 256,

            /// <summary>Case-sensitive names (the driver stops folding case).</summary>
            CaseSensitive = 512,

            /// <summary>Let Explorer's "Disconnect" unmount a NETWORK drive.</summary>
            EnableUnmountNetworkDrive = 1024,

            /// <summary>Forward the driver's log to the library's debug output.</summary>
            DispatchDriverLogs = 2048,

            /// <summary>Let several events per pull be dispatched to a thread pool: concurrency grows with load.</summary>
            AllowIpcBatching = 4096,
        }
    }
}
