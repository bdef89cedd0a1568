using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Tests.Interop;

/// <summary>
/// The port of dokany's DokanMapKernelToUserCreateFileFlags (dokan/dokan.c, v2.3.1.1000). Every expected value was
/// worked out by reading the C: its DokanMapKernelBit lines, its disposition switch and its generic-access folding,
/// with the constants of wdm.h, fileapi.h and winnt.h.
/// </summary>
public sealed class MapKernelToUserCreateFileFlagsTests
{
    public static TheoryData<uint, uint> Dispositions => new()
    {
        { 0, 2 }, // FILE_SUPERSEDE → CREATE_ALWAYS (the C treats replace as create-or-truncate)
        { 1, 3 }, // FILE_OPEN → OPEN_EXISTING
        { 2, 1 }, // FILE_CREATE → CREATE_NEW
        { 3, 4 }, // FILE_OPEN_IF → OPEN_ALWAYS
        { 4, 5 }, // FILE_OVERWRITE → TRUNCATE_EXISTING
        { 5, 2 }, // FILE_OVERWRITE_IF → CREATE_ALWAYS
    };

    [Theory]
    [MemberData(nameof(Dispositions))]
    public void KernelDispositionBecomesItsWin32Disposition(uint kernel, uint win32)
    {
        MapKernelToUserCreateFileFlags(0, 0, 0, kernel, out _, out _, out var creationDisposition);

        Assert.Equal(win32, creationDisposition);
    }

    [Theory]
    [InlineData(6u)]            // FILE_MAXIMUM_DISPOSITION + 1
    [InlineData(0x100u)]
    [InlineData(uint.MaxValue)]
    public void UnknownDispositionBecomesZero(uint kernel)
    {
        MapKernelToUserCreateFileFlags(0, 0, 0, kernel, out _, out _, out var creationDisposition);

        Assert.Equal(0u, creationDisposition);
    }

    public static TheoryData<uint, uint> CreateOptions => new()
    {
        { 0x00000002, 0x80000000 }, // FILE_WRITE_THROUGH → FILE_FLAG_WRITE_THROUGH
        { 0x00000004, 0x08000000 }, // FILE_SEQUENTIAL_ONLY → FILE_FLAG_SEQUENTIAL_SCAN
        { 0x00000800, 0x10000000 }, // FILE_RANDOM_ACCESS → FILE_FLAG_RANDOM_ACCESS
        { 0x00000008, 0x20000000 }, // FILE_NO_INTERMEDIATE_BUFFERING → FILE_FLAG_NO_BUFFERING
        { 0x00200000, 0x00200000 }, // FILE_OPEN_REPARSE_POINT → FILE_FLAG_OPEN_REPARSE_POINT (same bit)
        { 0x00001000, 0x04000000 }, // FILE_DELETE_ON_CLOSE → FILE_FLAG_DELETE_ON_CLOSE
        { 0x00004000, 0x02000000 }, // FILE_OPEN_FOR_BACKUP_INTENT → FILE_FLAG_BACKUP_SEMANTICS
        { 0x00040000, 0x00800000 }, // FILE_SESSION_AWARE → FILE_FLAG_SESSION_AWARE

        // Options the C has no line for contribute nothing: the caller reads them from CreateOptions itself.
        { 0x00000001, 0 },          // FILE_DIRECTORY_FILE
        { 0x00000040, 0 },          // FILE_NON_DIRECTORY_FILE
        { 0x00000020, 0 },          // FILE_SYNCHRONOUS_IO_NONALERT
        { 0x00000010, 0 },          // FILE_SYNCHRONOUS_IO_ALERT
        { 0x00010000, 0 },          // FILE_OPEN_REQUIRING_OPLOCK
    };

    [Theory]
    [MemberData(nameof(CreateOptions))]
    public void CreateOptionBecomesItsFileFlag(uint createOption, uint fileFlag)
    {
        MapKernelToUserCreateFileFlags(0, 0, createOption, 1, out _, out var flagsAndAttributes, out _);

        Assert.Equal(fileFlag, flagsAndAttributes);
    }

    [Fact]
    public void AttributesPassThroughAndFlagsAreAddedToThem()
    {
        // FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN with FILE_WRITE_THROUGH | FILE_DIRECTORY_FILE.
        MapKernelToUserCreateFileFlags(0, 0x3, 0x2 | 0x1, 1, out _, out var flagsAndAttributes, out _);

        Assert.Equal(0x80000003u, flagsAndAttributes);
    }

    [Fact]
    public void EveryMappedOptionTogetherGivesEveryFlag()
    {
        MapKernelToUserCreateFileFlags(
            0, 0x80, 0x2 | 0x4 | 0x800 | 0x8 | 0x200000 | 0x1000 | 0x4000 | 0x40000, 1,
            out _, out var flagsAndAttributes, out _);

        Assert.Equal(0x80000080u | 0x08000000 | 0x10000000 | 0x20000000 | 0x00200000 | 0x04000000 | 0x02000000 | 0x00800000, flagsAndAttributes);
    }

    public static TheoryData<uint, uint> DesiredAccess => new()
    {
        { 0x00120089, 0x80000000 }, // FILE_GENERIC_READ → GENERIC_READ
        { 0x00120116, 0x40000000 }, // FILE_GENERIC_WRITE → GENERIC_WRITE
        { 0x001200A0, 0x20000000 }, // FILE_GENERIC_EXECUTE → GENERIC_EXECUTE

        // FILE_ALL_ACCESS contains the three sets as well, and all four are tested before any is cleared.
        { 0x001F01FF, 0xF0000000 },

        { 0x0012019F, 0xC0000000 }, // FILE_GENERIC_READ | FILE_GENERIC_WRITE
        { 0x001200A9, 0xA0000000 }, // FILE_GENERIC_READ | FILE_EXECUTE completes the execute set too
        { 0x00130089, 0x80010000 }, // FILE_GENERIC_READ | DELETE: the right outside the set stays

        // A set's shared rights (SYNCHRONIZE, READ_CONTROL) are cleared with it; a lone FILE_WRITE_DATA is not a set.
        { 0x0012008B, 0x80000002 }, // FILE_GENERIC_READ | FILE_WRITE_DATA

        { 0x00000001, 0x00000001 }, // FILE_READ_DATA alone: no complete set, unchanged
        { 0x00100000, 0x00100000 }, // SYNCHRONIZE alone
        { 0x00120088, 0x00120088 }, // FILE_GENERIC_READ without FILE_READ_DATA
        { 0x80000000, 0x80000000 }, // already GENERIC_READ
        { 0x02000000, 0x02000000 }, // MAXIMUM_ALLOWED
        { 0x00000000, 0x00000000 },
    };

    [Theory]
    [MemberData(nameof(DesiredAccess))]
    public void CompleteAccessSetsFoldIntoGenericRights(uint desiredAccess, uint userDesiredAccess)
    {
        MapKernelToUserCreateFileFlags(desiredAccess, 0, 0, 1, out var mapped, out _, out _);

        Assert.Equal(userDesiredAccess, mapped);
    }

    [Fact]
    public void EachOutputDependsOnlyOnItsOwnInput()
    {
        // In the C the three outputs are computed apart; a busy access mask must not leak into the flags or back.
        MapKernelToUserCreateFileFlags(0x001F01FF, 0x20, 0x1000, 3, out var access, out var flags, out var disposition);

        Assert.Equal(0xF0000000u, access);
        Assert.Equal(0x04000020u, flags);
        Assert.Equal(4u, disposition);
    }
}
