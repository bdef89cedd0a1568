using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Tests.Interop;

/// <summary>
/// The port of dokany's DokanNtStatusFromWin32 (dokan/ntstatus.c + ntstatus.i, v2.3.1.1000). Each row is a line of
/// ntstatus.i (named in the comment) with both names resolved through winerror.h and ntstatus.h; codes with no line
/// take the C's default, STATUS_ACCESS_DENIED.
/// </summary>
public sealed class NtStatusFromWin32Tests
{
    public static TheoryData<uint, uint> TableRows => new()
    {
        { 0, 0x00000000 },          // NO_ERROR → STATUS_SUCCESS
        { 1, 0xC0000002 },          // ERROR_INVALID_FUNCTION → STATUS_NOT_IMPLEMENTED
        { 2, 0xC0000034 },          // ERROR_FILE_NOT_FOUND → STATUS_OBJECT_NAME_NOT_FOUND
        { 3, 0xC000003A },          // ERROR_PATH_NOT_FOUND → STATUS_OBJECT_PATH_NOT_FOUND
        { 4, 0xC000011F },          // ERROR_TOO_MANY_OPEN_FILES → STATUS_TOO_MANY_OPENED_FILES
        { 5, 0xC0000022 },          // ERROR_ACCESS_DENIED → STATUS_ACCESS_DENIED
        { 6, 0xC0000008 },          // ERROR_INVALID_HANDLE → STATUS_INVALID_HANDLE
        { 8, 0xC0000017 },          // ERROR_NOT_ENOUGH_MEMORY → STATUS_NO_MEMORY
        { 14, 0xC0000087 },         // ERROR_OUTOFMEMORY → STATUS_SECTION_NOT_EXTENDED
        { 17, 0xC00000D4 },         // ERROR_NOT_SAME_DEVICE → STATUS_NOT_SAME_DEVICE
        { 18, 0x80000006 },         // ERROR_NO_MORE_FILES → STATUS_NO_MORE_FILES
        { 19, 0xC00000A2 },         // ERROR_WRITE_PROTECT → STATUS_MEDIA_WRITE_PROTECTED
        { 32, 0xC0000043 },         // ERROR_SHARING_VIOLATION → STATUS_SHARING_VIOLATION
        { 33, 0xC0000055 },         // ERROR_LOCK_VIOLATION → STATUS_LOCK_NOT_GRANTED
        { 38, 0xC0000011 },         // ERROR_HANDLE_EOF → STATUS_END_OF_FILE
        { 50, 0xC00000BB },         // ERROR_NOT_SUPPORTED → STATUS_NOT_SUPPORTED
        { 80, 0xC0000035 },         // ERROR_FILE_EXISTS → STATUS_OBJECT_NAME_COLLISION
        { 87, 0xC000000D },         // ERROR_INVALID_PARAMETER → STATUS_INVALID_PARAMETER
        { 112, 0xC000007F },        // ERROR_DISK_FULL → STATUS_DISK_FULL
        { 121, 0xC00000B5 },        // ERROR_SEM_TIMEOUT → STATUS_IO_TIMEOUT
        { 122, 0xC0000023 },        // ERROR_INSUFFICIENT_BUFFER → STATUS_BUFFER_TOO_SMALL
        { 123, 0xC0000033 },        // ERROR_INVALID_NAME → STATUS_OBJECT_NAME_INVALID
        { 145, 0xC0000101 },        // ERROR_DIR_NOT_EMPTY → STATUS_DIRECTORY_NOT_EMPTY
        { 170, 0x80000011 },        // ERROR_BUSY → STATUS_DEVICE_BUSY
        { 183, 0xC0000035 },        // ERROR_ALREADY_EXISTS → STATUS_OBJECT_NAME_COLLISION
        { 206, 0xC0000106 },        // ERROR_FILENAME_EXCED_RANGE → STATUS_NAME_TOO_LONG
        { 234, 0x80000005 },        // ERROR_MORE_DATA → STATUS_BUFFER_OVERFLOW
        { 267, 0xC0000103 },        // ERROR_DIRECTORY → STATUS_NOT_A_DIRECTORY
        { 995, 0xC0000120 },        // ERROR_OPERATION_ABORTED → STATUS_CANCELLED
        { 1117, 0xC0000185 },       // ERROR_IO_DEVICE → STATUS_IO_DEVICE_ERROR
        { 1142, 0xC0000265 },       // ERROR_TOO_MANY_LINKS → STATUS_TOO_MANY_LINKS
        { 1314, 0xC0000061 },       // ERROR_PRIVILEGE_NOT_HELD → STATUS_PRIVILEGE_NOT_HELD
        { 1450, 0xC000009A },       // ERROR_NO_SYSTEM_RESOURCES → STATUS_INSUFFICIENT_RESOURCES
        { 1899, 0xC002004C },       // EPT_S_CANT_CREATE → EPT_NT_CANT_CREATE (the table's first line)
        { 1920, 0xC0000279 },       // ERROR_CANT_ACCESS_FILE → STATUS_IO_REPARSE_TAG_NOT_HANDLED
        { 1921, 0xC0000280 },       // ERROR_CANT_RESOLVE_FILENAME → STATUS_REPARSE_POINT_NOT_RESOLVED
        { 4390, 0xC0000275 },       // ERROR_NOT_A_REPARSE_POINT → STATUS_NOT_A_REPARSE_POINT

        // Lines whose key is not a Win32 code: an HRESULT, and an NTSTATUS that maps to itself.
        { 0x80090016, 0xC0000386 }, // NTE_BAD_KEYSET → STATUS_SMARTCARD_NO_KEYSET
        { 0xC000022A, 0xC000022A }, // STATUS_DUPLICATE_OBJECTID → STATUS_DUPLICATE_OBJECTID
        { 0x8003030B, 0xC000030B }, // STG_E_RESETS_EXHAUSTED → STATUS_CSS_RESETS_EXHAUSTED (the table's last line)
    };

    [Theory]
    [MemberData(nameof(TableRows))]
    public void Win32ErrorInTheTableBecomesItsNtStatus(uint win32Error, uint ntStatus) =>
        Assert.Equal(ntStatus, (uint)NtStatusFromWin32(win32Error));

    [Theory]
    [InlineData(13u)]           // ERROR_INVALID_DATA
    [InlineData(16u)]           // ERROR_CURRENT_DIRECTORY
    [InlineData(39u)]           // ERROR_HANDLE_DISK_FULL: only ERROR_DISK_FULL (112) has a line
    [InlineData(0xFFFFu)]
    [InlineData(0x80070002u)]   // HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND): the table wants the bare code
    [InlineData(uint.MaxValue)]
    public void Win32ErrorMissingFromTheTableBecomesAccessDenied(uint win32Error) =>
        Assert.Equal(NtStatus.AccessDenied, NtStatusFromWin32(win32Error));
}
