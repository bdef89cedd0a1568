internal static partial class Interop
{
    internal static partial class Dokan
    {
        /// <summary>What <see cref="DokanCreateFileSystem"/> returns (<c>DOKAN_*</c> in dokan.h).</summary>
        internal static class DokanResult
        {
            public const int Success = 0;
            public const int Error = -1;
            public const int DriveLetterError = -2;
            public const int DriverInstallError = -3;
            public const int StartError = -4;
            public const int MountError = -5;
            public const int MountPointError = -6;
            public const int VersionError = -7;

            /// <summary>The result in the user's terms, with what to do about it.</summary>
            public static string Describe(int result) => result switch
            {
                Success => "mounted",
                DriveLetterError => "the drive letter is not valid or is taken; choose a free letter (T:) or an empty NTFS folder",
                DriverInstallError => "the Dokan driver is not installed or not running; install Dokan 2.x from https://github.com/dokan-dev/dokany/releases and reboot if it asks",
                StartError => "the Dokan driver did not start; check the Dokan installation (sc query dokan2)",
                MountError => "Windows refused the mount; a drive letter in use, or a folder that is not empty or not on NTFS",
                MountPointError => "the mount point is not valid: use a free drive letter (T:) or an existing empty folder on an NTFS volume",
                VersionError => "the Dokan library and driver versions differ; reinstall Dokan 2.x",
                _ => $"Dokan error {result}",
            };
        }
    }
}
