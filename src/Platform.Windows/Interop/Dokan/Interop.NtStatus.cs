internal static partial class Interop
{
    internal static partial class Dokan
    {
        /// <summary>The NTSTATUS values our callbacks return (ntstatus.h); a callback's result is the raw int.</summary>
        internal static class NtStatus
        {
            public const int Success = 0;
            public const int DeviceBusy = unchecked((int)0x80000011);
            public const int Unsuccessful = unchecked((int)0xC0000001);
            public const int NotImplemented = unchecked((int)0xC0000002);
            public const int AccessViolation = unchecked((int)0xC0000005);
            public const int InvalidHandle = unchecked((int)0xC0000008);
            public const int InvalidParameter = unchecked((int)0xC000000D);
            public const int IoDeviceError = unchecked((int)0xC0000185);
            public const int NoSuchDevice = unchecked((int)0xC000000E);
            public const int InvalidDeviceRequest = unchecked((int)0xC0000010);
            public const int EndOfFile = unchecked((int)0xC0000011);
            public const int AccessDenied = unchecked((int)0xC0000022);
            public const int BufferTooSmall = unchecked((int)0xC0000023);
            public const int ObjectNameInvalid = unchecked((int)0xC0000033);
            public const int ObjectNameNotFound = unchecked((int)0xC0000034);

            /// <summary>Also ZwCreateFile's "opened an existing file" for the dispositions that may create; dokan2 counts it as success.</summary>
            public const int ObjectNameCollision = unchecked((int)0xC0000035);

            public const int ObjectPathNotFound = unchecked((int)0xC000003A);
            public const int SharingViolation = unchecked((int)0xC0000043);
            public const int QuotaExceeded = unchecked((int)0xC0000044);
            public const int LockNotGranted = unchecked((int)0xC0000055);
            public const int DeletePending = unchecked((int)0xC0000056);
            public const int DiskFull = unchecked((int)0xC000007F);
            public const int InsufficientResources = unchecked((int)0xC000009A);
            public const int MediaWriteProtected = unchecked((int)0xC00000A2);

            /// <summary>What a request that waited longer than the host's cap returns.</summary>
            public const int IoTimeout = unchecked((int)0xC00000B5);

            public const int FileIsADirectory = unchecked((int)0xC00000BA);
            public const int NotSupported = unchecked((int)0xC00000BB);
            public const int NotSameDevice = unchecked((int)0xC00000D4);
            public const int InternalError = unchecked((int)0xC00000E5);
            public const int DirectoryNotEmpty = unchecked((int)0xC0000101);
            public const int NotADirectory = unchecked((int)0xC0000103);
            public const int NameTooLong = unchecked((int)0xC0000106);
            public const int TooManyOpenedFiles = unchecked((int)0xC000011F);
            public const int Cancelled = unchecked((int)0xC0000120);
            public const int CannotDelete = unchecked((int)0xC0000121);
            public const int ConnectionInvalid = unchecked((int)0xC000023A);
            public const int ConnectionAborted = unchecked((int)0xC0000241);
            public const int TooManyLinks = unchecked((int)0xC0000265);
            public const int ReparsePointNotResolved = unchecked((int)0xC0000280);
            public const int FileTooLarge = unchecked((int)0xC0000904);
        }
    }
}
