internal static partial class Interop
{
    internal static partial class Dokan
    {
        // Create options (wdm.h), as ZwCreateFile receives them, beside the CreateFile flag each one becomes (fileapi.h).
        private const uint FileWriteThrough = 0x00000002;             // FILE_WRITE_THROUGH
        private const uint FileFlagWriteThrough = 0x80000000;         // FILE_FLAG_WRITE_THROUGH
        private const uint FileSequentialOnly = 0x00000004;           // FILE_SEQUENTIAL_ONLY
        private const uint FileFlagSequentialScan = 0x08000000;       // FILE_FLAG_SEQUENTIAL_SCAN
        private const uint FileRandomAccess = 0x00000800;             // FILE_RANDOM_ACCESS
        private const uint FileFlagRandomAccess = 0x10000000;         // FILE_FLAG_RANDOM_ACCESS
        private const uint FileNoIntermediateBuffering = 0x00000008;  // FILE_NO_INTERMEDIATE_BUFFERING
        private const uint FileFlagNoBuffering = 0x20000000;          // FILE_FLAG_NO_BUFFERING
        private const uint FileOpenReparsePoint = 0x00200000;         // FILE_OPEN_REPARSE_POINT
        private const uint FileFlagOpenReparsePoint = 0x00200000;     // FILE_FLAG_OPEN_REPARSE_POINT (the same bit)
        private const uint FileDeleteOnClose = 0x00001000;            // FILE_DELETE_ON_CLOSE
        private const uint FileFlagDeleteOnClose = 0x04000000;        // FILE_FLAG_DELETE_ON_CLOSE
        private const uint FileOpenForBackupIntent = 0x00004000;      // FILE_OPEN_FOR_BACKUP_INTENT
        private const uint FileFlagBackupSemantics = 0x02000000;      // FILE_FLAG_BACKUP_SEMANTICS
        private const uint FileSessionAware = 0x00040000;             // FILE_SESSION_AWARE
        private const uint FileFlagSessionAware = 0x00800000;         // FILE_FLAG_SESSION_AWARE

        // Kernel create dispositions (wdm.h) and the CreateFile ones (fileapi.h).
        private const uint FileSupersede = 0;     // FILE_SUPERSEDE
        private const uint FileOpen = 1;          // FILE_OPEN
        private const uint FileCreate = 2;        // FILE_CREATE
        private const uint FileOpenIf = 3;        // FILE_OPEN_IF
        private const uint FileOverwrite = 4;     // FILE_OVERWRITE
        private const uint FileOverwriteIf = 5;   // FILE_OVERWRITE_IF
        private const uint CreateNew = 1;         // CREATE_NEW
        private const uint CreateAlways = 2;      // CREATE_ALWAYS
        private const uint OpenExisting = 3;      // OPEN_EXISTING
        private const uint OpenAlways = 4;        // OPEN_ALWAYS
        private const uint TruncateExisting = 5;  // TRUNCATE_EXISTING

        // Access masks (winnt.h): the specific rights each generic right stands for on a file.
        private const uint FileGenericRead = 0x00120089;     // FILE_GENERIC_READ
        private const uint FileGenericWrite = 0x00120116;    // FILE_GENERIC_WRITE
        private const uint FileGenericExecute = 0x001200A0;  // FILE_GENERIC_EXECUTE
        private const uint FileAllAccess = 0x001F01FF;       // FILE_ALL_ACCESS
        private const uint GenericRead = 0x80000000;         // GENERIC_READ
        private const uint GenericWrite = 0x40000000;        // GENERIC_WRITE
        private const uint GenericExecute = 0x20000000;      // GENERIC_EXECUTE
        private const uint GenericAll = 0x10000000;          // GENERIC_ALL

        /// <summary>
        /// ZwCreateFile's kernel arguments in CreateFile's terms. A managed port of dokany's
        /// <c>DokanMapKernelToUserCreateFileFlags</c> (<c>dokan/dokan.c</c>, tag v2.3.1.1000), not a P/Invoke, so the
        /// adapter's create path runs and is tested without dokan2.dll; it gives the same results for every input.
        /// </summary>
        /// <param name="desiredAccess">ACCESS_MASK as the kernel sends it.</param>
        /// <param name="fileAttributes">FILE_ATTRIBUTE_* bits.</param>
        /// <param name="createOptions">FILE_* create options (FILE_DIRECTORY_FILE, FILE_WRITE_THROUGH, …).</param>
        /// <param name="createDisposition">FILE_SUPERSEDE (0) … FILE_OVERWRITE_IF (5).</param>
        /// <param name="userDesiredAccess">
        /// The access with each complete FILE_GENERIC_READ/WRITE/EXECUTE or FILE_ALL_ACCESS set folded into its
        /// GENERIC_* bit; every set is tested before any is cleared, so rights shared between sets (SYNCHRONIZE,
        /// READ_CONTROL, FILE_READ_ATTRIBUTES) go whenever one set matched.
        /// </param>
        /// <param name="flagsAndAttributes">
        /// The attributes with FILE_FLAG_* added for the options that have one. FILE_DIRECTORY_FILE and
        /// FILE_NON_DIRECTORY_FILE have none and are dropped, as in the C.
        /// </param>
        /// <param name="creationDisposition">CREATE_NEW … TRUNCATE_EXISTING; 0 for a disposition the kernel never sends.</param>
        internal static void MapKernelToUserCreateFileFlags(
            uint desiredAccess,
            uint fileAttributes,
            uint createOptions,
            uint createDisposition,
            out uint userDesiredAccess,
            out uint flagsAndAttributes,
            out uint creationDisposition)
        {
            flagsAndAttributes = fileAttributes
                | MapKernelBit(createOptions, FileFlagWriteThrough, FileWriteThrough)
                | MapKernelBit(createOptions, FileFlagSequentialScan, FileSequentialOnly)
                | MapKernelBit(createOptions, FileFlagRandomAccess, FileRandomAccess)
                | MapKernelBit(createOptions, FileFlagNoBuffering, FileNoIntermediateBuffering)
                | MapKernelBit(createOptions, FileFlagOpenReparsePoint, FileOpenReparsePoint)
                | MapKernelBit(createOptions, FileFlagDeleteOnClose, FileDeleteOnClose)
                | MapKernelBit(createOptions, FileFlagBackupSemantics, FileOpenForBackupIntent)
                // Under `#if _WIN32_WINNT >= _WIN32_WINNT_WIN8` in the C; dokany sets no _WIN32_WINNT, so the SDK's
                // default (Windows 10) compiles it in.
                | MapKernelBit(createOptions, FileFlagSessionAware, FileSessionAware);

            creationDisposition = createDisposition switch
            {
                FileCreate => CreateNew,
                FileOpen => OpenExisting,
                FileOpenIf => OpenAlways,
                FileOverwrite => TruncateExisting,
                // dokany: "The documentation isn't clear on the difference between replacing a file and truncating
                // it", so supersede is create-or-truncate as well.
                FileSupersede or FileOverwriteIf => CreateAlways,
                _ => 0,
            };

            // All four tests see the original specific bits (the GENERIC_* bits added on the way never overlap them).
            var genericRead = (desiredAccess & FileGenericRead) == FileGenericRead;
            var genericWrite = (desiredAccess & FileGenericWrite) == FileGenericWrite;
            var genericExecute = (desiredAccess & FileGenericExecute) == FileGenericExecute;
            var genericAll = (desiredAccess & FileAllAccess) == FileAllAccess;

            userDesiredAccess = desiredAccess
                | (genericRead ? GenericRead : 0)
                | (genericWrite ? GenericWrite : 0)
                | (genericExecute ? GenericExecute : 0)
                | (genericAll ? GenericAll : 0);
            userDesiredAccess &= ~((genericRead ? FileGenericRead : 0)
                | (genericWrite ? FileGenericWrite : 0)
                | (genericExecute ? FileGenericExecute : 0)
                | (genericAll ? FileAllAccess : 0));
        }

        /// <summary>dokany's <c>DokanMapKernelBit</c>: the user flag when every bit of the kernel option is set.</summary>
        private static uint MapKernelBit(uint createOptions, uint userBit, uint kernelBit) =>
            (createOptions & kernelBit) == kernelBit ? userBit : 0;
    }
}
