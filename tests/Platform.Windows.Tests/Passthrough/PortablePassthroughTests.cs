using System.Text;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Windows.Passthrough;
using ThrottleFs.Tests.Shared.Passthrough;

namespace ThrottleFs.Platform.Windows.Tests.Passthrough;

/// <summary>
/// What only the portable passthrough does, beyond the shared contract: names matched regardless of case over a store
/// that keeps case, the errno values it gives for what the portable calls lack, its name rules, its snapshot listings,
/// and its one place for turning exceptions into errno values.
/// </summary>
public sealed class PortablePassthroughTests : IDisposable
{
    private const ulong Root = FileSystemIds.Root;
    private const int ReadOnly = 0, WriteOnly = 1, ReadWrite = 2, Creat = 0x40, Exclusive = 0x80;
    private const int SeekData = 3, SeekHole = 4;

    private readonly string _backing = Path.Combine(Path.GetTempPath(), $"throttlefs-portable-{Guid.NewGuid():N}");
    private readonly List<PortablePassthroughFileSystem> _mounted = [];

    public PortablePassthroughTests() => Directory.CreateDirectory(_backing);

    public void Dispose()
    {
        _mounted.ForEach(fs => fs.Dispose());
        foreach (var file in Directory.EnumerateFiles(_backing, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        Directory.Delete(_backing, recursive: true);
    }

    // ---- case-insensitive matching (forced, so it runs on Linux too) ----

    [Fact]
    public void CaseInsensitive_TwoSpellings_AreOneNodeNamedAsOnDisk()
    {
        File.WriteAllText(Path.Combine(_backing, "Report.TXT"), "r");
        var fs = Mount(caseInsensitive: true);

        var lower = LookupOk(fs, Root, "report.txt");
        var upper = LookupOk(fs, Root, "REPORT.txt");

        Assert.Equal(lower.Node, upper.Node);
        Assert.Equal("Report.TXT", fs.PathOf(lower.Node));
    }

    [Fact]
    public void CaseInsensitive_CreateOfAnotherSpelling_OpensTheFileThatIsThere()
    {
        File.WriteAllText(Path.Combine(_backing, "Report.TXT"), "r");
        var fs = Mount(caseInsensitive: true);

        Assert.Equal(Errno.EEXIST, fs.Create(default, Root, N("REPORT.TXT"), ReadWrite | Creat | Exclusive, 0x1A4, out _, out _));
        Assert.Equal(Errno.Success, fs.Create(default, Root, N("report.txt"), ReadWrite | Creat, 0x1A4, out var entry, out var file));

        Assert.Equal("Report.TXT", fs.PathOf(entry.Node));
        Assert.Equal(["Report.TXT"], Names(_backing));
        Assert.Equal(Errno.Success, fs.Release(file.Handle));
    }

    [Fact]
    public void CaseInsensitive_RenameChangingOnlyCase_KeepsTheNode()
    {
        File.WriteAllText(Path.Combine(_backing, "Report.TXT"), "r");
        var fs = Mount(caseInsensitive: true);
        var node = LookupOk(fs, Root, "report.txt").Node;

        Assert.Equal(Errno.Success, fs.Rename(Root, N("REPORT.TXT"), Root, N("report.txt"), RenameFlags.NoReplace));

        Assert.Equal(["report.txt"], Names(_backing));
        Assert.Equal("report.txt", fs.PathOf(node));
        Assert.Equal(node, LookupOk(fs, Root, "Report.txt").Node);
    }

    [Fact]
    public void CaseInsensitive_ListingWithAttributes_CountsTheNodeKnownUnderAnotherSpelling()
    {
        File.WriteAllText(Path.Combine(_backing, "Report.TXT"), "r");
        var fs = Mount(caseInsensitive: true);
        var node = LookupOk(fs, Root, "report.txt").Node;

        var listed = ReadAll(fs, Root, wantsAttributes: true).Single(e => !e.IsDot);

        Assert.Equal("Report.TXT", listed.Name);
        Assert.Equal(node, listed.Entry.Node);
        fs.Forget(node, 2);
        Assert.Null(fs.PathOf(node));
    }

    [Fact]
    public void CaseInsensitive_MissingName_IsENOENTInAnySpelling()
    {
        File.WriteAllText(Path.Combine(_backing, "Report.TXT"), "r");
        var fs = Mount(caseInsensitive: true);

        Assert.Equal(Errno.ENOENT, fs.Lookup(Root, N("report.doc"), out _));
    }

    [Fact]
    public void CaseInsensitive_SingleFileSource_IsFoundInAnySpelling()
    {
        File.WriteAllText(Path.Combine(_backing, "Disk.IMG"), "image");
        var fs = Track(new PortablePassthroughFileSystem(Path.Combine(_backing, "Disk.IMG"), 0, 0, caseInsensitive: true));

        var entry = LookupOk(fs, Root, "disk.img");

        Assert.Equal("Disk.IMG", fs.PathOf(entry.Node));
    }

    [Fact]
    public void CaseSensitive_OnAStoreThatKeepsCase_TwoSpellingsAreTwoNodes()
    {
        if (OperatingSystem.IsWindows() || OperatingSystem.IsMacOS())
        {
            return; // their stores fold case: both files cannot exist
        }

        File.WriteAllText(Path.Combine(_backing, "a"), "lower");
        File.WriteAllText(Path.Combine(_backing, "A"), "upper");
        var fs = Mount(caseInsensitive: false);

        Assert.NotEqual(LookupOk(fs, Root, "a").Node, LookupOk(fs, Root, "A").Node);
    }

    // ---- what the portable calls lack ----

    [Fact]
    public void Link_IsEPERM()
    {
        File.WriteAllText(Path.Combine(_backing, "f"), "");
        var fs = Mount();
        var node = LookupOk(fs, Root, "f").Node;

        Assert.Equal(Errno.EPERM, fs.Link(node, Root, N("g"), out _));
        Assert.Equal(Errno.ENOENT, fs.Link(0x7777, Root, N("g"), out _));
        Assert.Equal(["f"], Names(_backing));
    }

    [Theory]
    [InlineData(0x1000u)] // FIFO
    [InlineData(0x2000u)] // character device
    [InlineData(0x6000u)] // block device
    [InlineData(0xC000u)] // socket
    public void MakeNode_OfASpecialFile_IsEPERM(uint type)
    {
        var fs = Mount();

        Assert.Equal(Errno.EPERM, fs.MakeNode(default, Root, N("special"), type | 0x1A4, 0, out _));
        Assert.Empty(Names(_backing));
    }

    [Fact]
    public void ExtendedAttributes_AreEOPNOTSUPP()
    {
        File.WriteAllText(Path.Combine(_backing, "f"), "");
        var fs = Mount();
        var node = LookupOk(fs, Root, "f").Node;

        Assert.Equal(Errno.EOPNOTSUPP, fs.SetExtendedAttribute(default, node, N("user.a"), "v"u8, 0));
        Assert.Equal(Errno.EOPNOTSUPP, fs.GetExtendedAttribute(node, N("user.a"), new byte[8], out var length));
        Assert.Equal(0, length);
        Assert.Equal(Errno.EOPNOTSUPP, fs.ListExtendedAttributes(node, Span<byte>.Empty, out _));
        Assert.Equal(Errno.EOPNOTSUPP, fs.RemoveExtendedAttribute(default, node, N("user.a")));
        Assert.Equal(Errno.ENOENT, fs.ListExtendedAttributes(0x7777, Span<byte>.Empty, out _));
    }

    [Fact]
    public void Seek_SeesTheWholeFileAsData()
    {
        var fs = Mount();
        var (_, file) = CreateOk(fs, "f");
        Write(fs, file.Handle, 0, new byte[1000]);

        Assert.Equal(Errno.Success, fs.Seek(file.Handle, 0, SeekData, out var data));
        Assert.Equal(0, data);
        Assert.Equal(Errno.Success, fs.Seek(file.Handle, 999, SeekData, out data));
        Assert.Equal(999, data);
        Assert.Equal(Errno.Success, fs.Seek(file.Handle, 0, SeekHole, out var hole));
        Assert.Equal(1000, hole);
        Assert.Equal(Errno.ENXIO, fs.Seek(file.Handle, 1000, SeekHole, out _));
        Assert.Equal(Errno.ENXIO, fs.Seek(file.Handle, -1, SeekData, out _));
        Assert.Equal(Errno.EINVAL, fs.Seek(file.Handle, 0, 0, out _)); // SEEK_SET: the platform keeps positions
    }

    [Fact]
    public void Seek_InAnEmptyFile_IsENXIO()
    {
        var fs = Mount();
        var (_, file) = CreateOk(fs, "empty");

        Assert.Equal(Errno.ENXIO, fs.Seek(file.Handle, 0, SeekData, out _));
        Assert.Equal(Errno.ENXIO, fs.Seek(file.Handle, 0, SeekHole, out _));
    }

    [Theory]
    [InlineData(1)] // FALLOC_FL_KEEP_SIZE
    [InlineData(3)] // FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
    [InlineData(0x10)] // FALLOC_FL_ZERO_RANGE
    public void Allocate_WithAMode_IsEOPNOTSUPP(int mode)
    {
        var fs = Mount();
        var (entry, file) = CreateOk(fs, "f");
        Write(fs, file.Handle, 0, new byte[100]);

        Assert.Equal(Errno.EOPNOTSUPP, fs.Allocate(file.Handle, mode, 0, 4096));
        Assert.Equal(100ul, AttributesOf(fs, entry.Node).Size);
    }

    [Fact]
    public void Allocate_OfAnEmptyRangeOrThroughAReadOnlyOpen_IsRefused()
    {
        File.WriteAllText(Path.Combine(_backing, "f"), "x");
        var fs = Mount();
        var node = LookupOk(fs, Root, "f").Node;
        Assert.Equal(Errno.Success, fs.Open(default, node, ReadOnly, out var readOnly));
        Assert.Equal(Errno.Success, fs.Open(default, node, WriteOnly, out var writable));

        Assert.Equal(Errno.EINVAL, fs.Allocate(writable.Handle, 0, 0, 0));
        Assert.Equal(Errno.EINVAL, fs.Allocate(writable.Handle, 0, -1, 10));
        Assert.Equal(Errno.EBADF, fs.Allocate(readOnly.Handle, 0, 0, 4096));
    }

    [Fact]
    public void CopyFileRange_IsEOPNOTSUPP_SoTheCallerCopies()
    {
        var fs = Mount();
        var (_, from) = CreateOk(fs, "from");
        var (_, to) = CreateOk(fs, "to");

        var result = fs.CopyFileRangeAsync(from.Handle, 0, to.Handle, 0, 10, CancellationToken.None).AsTask().GetAwaiter().GetResult();

        Assert.Equal(IoResult.Failed(Errno.EOPNOTSUPP), result);
    }

    [Fact]
    public void Rename_Exchange_IsEINVAL()
    {
        File.WriteAllText(Path.Combine(_backing, "a"), "A");
        File.WriteAllText(Path.Combine(_backing, "b"), "B");
        var fs = Mount();

        Assert.Equal(Errno.EINVAL, fs.Rename(Root, N("a"), Root, N("b"), RenameFlags.Exchange));
        Assert.Equal(Errno.EINVAL, fs.Rename(Root, N("a"), Root, N("b"), RenameFlags.Whiteout));
        Assert.Equal("A", File.ReadAllText(Path.Combine(_backing, "a")));
    }

    [Fact]
    public void RemovePrivileges_RemovesNothing()
    {
        File.WriteAllText(Path.Combine(_backing, "f"), "");
        var fs = Mount();

        Assert.Equal(Errno.Success, fs.RemovePrivileges(default, LookupOk(fs, Root, "f").Node, out var removed));
        Assert.False(removed);
        Assert.Equal(Errno.ENOENT, fs.RemovePrivileges(default, 0x7777, out _));
    }

    // ---- owners and access ----

    [Fact]
    public void Owner_IsTheOneGiven_AndCannotChange()
    {
        File.WriteAllText(Path.Combine(_backing, "f"), "");
        var fs = Track(new PortablePassthroughFileSystem(_backing, ownerUid: 1234, ownerGid: 5678));
        var entry = LookupOk(fs, Root, "f");

        Assert.Equal((1234u, 5678u), (entry.Attributes.Uid, entry.Attributes.Gid));
        Assert.Equal(Errno.EPERM, fs.SetAttributes(entry.Node, Changes(AttributeFields.Uid) with { Uid = 0 }, out _));
        Assert.Equal(Errno.EPERM, fs.SetAttributes(entry.Node, Changes(AttributeFields.Gid) with { Gid = 0 }, out _));
        Assert.Equal(Errno.Success, fs.SetAttributes(entry.Node, Changes(AttributeFields.Uid | AttributeFields.Gid) with { Uid = 1234, Gid = 5678 }, out _));
    }

    [Fact]
    public void Access_ForWriting_OfAReadOnlyFile_IsEACCES()
    {
        File.WriteAllText(Path.Combine(_backing, "f"), "");
        var fs = Mount();
        var node = LookupOk(fs, Root, "f").Node;
        Assert.Equal(Errno.Success, fs.Access(node, 2));

        Assert.Equal(Errno.Success, fs.SetAttributes(node, Changes(AttributeFields.Mode) with { Mode = 0x124 }, out var readOnly)); // 0444

        Assert.Equal(0u, readOnly.Mode & 0x92);
        Assert.Equal(Errno.EACCES, fs.Access(node, 2));
        Assert.Equal(Errno.Success, fs.Access(node, 4));
    }

    [Fact]
    public void SetAttributes_ModeOfASymbolicLink_IsEOPNOTSUPP()
    {
        var fs = Mount();
        if (fs.Symlink(default, Root, N("link"), N("nowhere"), out var link) != Errno.Success)
        {
            return; // Windows without the privilege to make links
        }

        Assert.Equal(Errno.EOPNOTSUPP, fs.SetAttributes(link.Node, Changes(AttributeFields.Mode) with { Mode = 0x180 }, out _));
        Assert.Equal(0x1FFu, link.Attributes.Mode & 0xFFF);
        Assert.Equal((ulong)"nowhere".Length, link.Attributes.Size);
    }

    // ---- names ----

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a\0b")]
    public void Names_WithASeparatorOrNul_AreEINVAL(string name)
    {
        var fs = Mount();

        Assert.Equal(Errno.EINVAL, fs.Lookup(Root, N(name), out _));
        Assert.Equal(Errno.EINVAL, fs.Create(default, Root, N(name), ReadWrite | Creat, 0x1A4, out _, out _));
        Assert.Equal(Errno.EINVAL, fs.MakeDirectory(default, Root, N(name), 0x1ED, out _));
        Assert.Empty(Names(_backing));
    }

    [Fact]
    public void Names_TooLongOrEmpty_AreRefused()
    {
        var fs = Mount();

        Assert.Equal(Errno.ENAMETOOLONG, fs.Lookup(Root, N(new string('x', 256)), out _));
        Assert.Equal(Errno.ENOENT, fs.Lookup(Root, [], out _));
        Assert.Equal(Errno.Success, fs.MakeDirectory(default, Root, N(new string('x', 255)), 0x1ED, out _));
    }

    [Fact]
    public void Lookup_OfDotAndDotDot_GivesTheDirectoryAndItsParent()
    {
        Directory.CreateDirectory(Path.Combine(_backing, "sub"));
        var fs = Mount();
        var sub = LookupOk(fs, Root, "sub").Node;

        Assert.Equal(sub, LookupOk(fs, sub, ".").Node);
        Assert.Equal(Root, LookupOk(fs, sub, "..").Node);
        Assert.Equal(Root, LookupOk(fs, Root, "..").Node);

        fs.Forget(sub, 2); // its own lookup and "."'s
        Assert.Null(fs.PathOf(sub));
    }

    [Fact]
    public void DotNames_AsNewEntries_AreEINVAL()
    {
        var fs = Mount();

        Assert.Equal(Errno.EINVAL, fs.Create(default, Root, N("."), ReadWrite | Creat, 0x1A4, out _, out _));
        Assert.Equal(Errno.EINVAL, fs.MakeDirectory(default, Root, N(".."), 0x1ED, out _));
        Assert.Equal(Errno.EINVAL, fs.Unlink(Root, N("..")));
    }

    [Fact]
    public void Rename_OfADirectoryIntoItself_IsEINVAL()
    {
        Directory.CreateDirectory(Path.Combine(_backing, "d", "inner"));
        var fs = Mount();
        var d = LookupOk(fs, Root, "d").Node;
        var inner = LookupOk(fs, d, "inner").Node;

        Assert.Equal(Errno.EINVAL, fs.Rename(Root, N("d"), inner, N("moved"), RenameFlags.None));
        Assert.True(Directory.Exists(Path.Combine(_backing, "d", "inner")));
    }

    [Fact]
    public void Open_OfADirectory_IsEISDIR()
    {
        Directory.CreateDirectory(Path.Combine(_backing, "d"));
        var fs = Mount();

        Assert.Equal(Errno.EISDIR, fs.Open(default, LookupOk(fs, Root, "d").Node, ReadOnly, out _));
        Assert.Equal(Errno.EISDIR, fs.Create(default, Root, N("d"), ReadWrite | Creat, 0x1A4, out _, out _));
    }

    [Fact]
    public void UnlinkedOpenFile_HasAttributesWithoutItsHandle_ButNoPath()
    {
        var fs = Mount();
        var (entry, file) = CreateOk(fs, "doomed");
        Write(fs, file.Handle, 0, "12345"u8.ToArray());

        Assert.Equal(Errno.Success, fs.Unlink(Root, N("doomed")));

        Assert.Null(fs.PathOf(entry.Node));
        Assert.Equal(5ul, AttributesOf(fs, entry.Node).Size);
        Assert.Equal(Errno.Success, fs.SetAttributes(entry.Node, Changes(AttributeFields.Size) with { Size = 2 }, out var truncated));
        Assert.Equal(2ul, truncated.Size);
        Assert.Equal(Errno.ENOENT, fs.Open(default, entry.Node, ReadOnly, out _)); // no name to open it by
    }

    // ---- listings ----

    [Fact]
    public void ReadDirectory_GivesTheDotsFirst_ThenTheEntriesAtTheirPositions()
    {
        File.WriteAllText(Path.Combine(_backing, "a"), "");
        File.WriteAllText(Path.Combine(_backing, "b"), "");
        var fs = Mount();

        var entries = ReadAll(fs, Root, wantsAttributes: false);

        Assert.Equal([".", ".."], entries.Take(2).Select(e => e.Name));
        Assert.Equal([1L, 2L, 3L, 4L], entries.Select(e => e.NextOffset));
        Assert.All(entries.Take(2), e => Assert.Equal(FileModes.EntryType(FileModes.Directory), e.Type));
    }

    [Fact]
    public void ReadDirectory_ListsTheEntriesAsTheyWereWhenOpened()
    {
        File.WriteAllText(Path.Combine(_backing, "old"), "12345");
        File.WriteAllText(Path.Combine(_backing, "going"), "");
        var fs = Mount();
        Assert.Equal(Errno.Success, fs.OpenDirectory(Root, out var directory));
        File.WriteAllText(Path.Combine(_backing, "new"), "");
        File.Delete(Path.Combine(_backing, "going"));
        File.AppendAllText(Path.Combine(_backing, "old"), "678");

        var writer = new RecordingDirectoryWriter(wantsAttributes: true);
        Assert.Equal(Errno.Success, fs.ReadDirectory(directory.Handle, 0, writer));

        // The snapshot of the open, statuses included: the listing a reader began is one listing.
        Assert.Equal(["going", "old"], writer.Entries.Where(e => !e.IsDot).Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal(5ul, writer.Entries.Single(e => e.Name == "old").Entry.Attributes.Size);
        Assert.Equal(Errno.Success, fs.ReleaseDirectory(directory.Handle));
    }

    [Fact]
    public void ReadDirectory_PastTheEnd_AddsNothing()
    {
        File.WriteAllText(Path.Combine(_backing, "a"), "");
        var fs = Mount();
        Assert.Equal(Errno.Success, fs.OpenDirectory(Root, out var directory));

        var writer = new RecordingDirectoryWriter(wantsAttributes: true);
        Assert.Equal(Errno.Success, fs.ReadDirectory(directory.Handle, 3, writer));
        Assert.Equal(Errno.Success, fs.ReadDirectory(directory.Handle, long.MaxValue, writer));
        Assert.Equal(Errno.EINVAL, fs.ReadDirectory(directory.Handle, -1, writer));

        Assert.Empty(writer.Entries);
    }

    [Fact]
    public void Nodes_AllGoOnceEveryLookupIsForgotten()
    {
        Directory.CreateDirectory(Path.Combine(_backing, "d", "e"));
        File.WriteAllText(Path.Combine(_backing, "d", "e", "f"), "");
        var fs = Mount();
        var d = LookupOk(fs, Root, "d").Node;
        var e = LookupOk(fs, d, "e").Node;
        var listed = ReadAll(fs, e, wantsAttributes: true).Where(x => !x.IsDot).Select(x => x.Entry.Node).ToList();
        var (created, file) = CreateOk(fs, e, "g");
        Assert.Equal(Errno.Success, fs.Release(file.Handle));
        Assert.Equal(5, fs.NodeCount);

        // A directory stays while a node below it is known (its path runs through it), whatever order they go in.
        fs.Forget(d, 1);
        fs.Forget(e, 1);
        Assert.Equal("d/e/g", fs.PathOf(created.Node));
        listed.ForEach(node => fs.Forget(node, 1));
        fs.Forget(created.Node, 1);

        Assert.Equal(1, fs.NodeCount);
    }

    // ---- set-up and disposal ----

    [Fact]
    public void Constructor_OfAMissingSource_ThrowsAnIOExceptionNamingIt()
    {
        var missing = Path.Combine(_backing, "missing");

        var thrown = Assert.ThrowsAny<IOException>(() => new PortablePassthroughFileSystem(missing));

        Assert.Contains("missing", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_ClosesEveryOpenFile()
    {
        var fs = new PortablePassthroughFileSystem(_backing);
        Assert.Equal(Errno.Success, fs.Create(default, Root, N("f"), ReadWrite | Creat, 0x1A4, out _, out var file));

        fs.Dispose();
        fs.Dispose();

        Assert.Equal(Errno.EBADF, fs.ReadAsync(file.Handle, 0, new byte[1], CancellationToken.None).AsTask().GetAwaiter().GetResult().Error);
    }

    // ---- exceptions to errno ----

    [Theory]
    [InlineData(0x80070002u, Errno.ENOENT)]    // ERROR_FILE_NOT_FOUND
    [InlineData(0x80070003u, Errno.ENOENT)]    // ERROR_PATH_NOT_FOUND
    [InlineData(0x80070005u, Errno.EACCES)]    // ERROR_ACCESS_DENIED
    [InlineData(0x80070020u, Errno.EBUSY)]     // ERROR_SHARING_VIOLATION
    [InlineData(0x80070050u, Errno.EEXIST)]    // ERROR_FILE_EXISTS
    [InlineData(0x800700B7u, Errno.EEXIST)]    // ERROR_ALREADY_EXISTS
    [InlineData(0x80070070u, Errno.ENOSPC)]    // ERROR_DISK_FULL
    [InlineData(0x80070091u, Errno.ENOTEMPTY)] // ERROR_DIR_NOT_EMPTY
    [InlineData(0x8007007Bu, Errno.EINVAL)]    // ERROR_INVALID_NAME
    [InlineData(0x800700CEu, Errno.ENAMETOOLONG)] // ERROR_FILENAME_EXCED_RANGE
    [InlineData(0x8007010Bu, Errno.ENOTDIR)]   // ERROR_DIRECTORY
    [InlineData(0x80070011u, Errno.EXDEV)]     // ERROR_NOT_SAME_DEVICE
    [InlineData(0x80070522u, Errno.EPERM)]     // ERROR_PRIVILEGE_NOT_HELD (1314)
    [InlineData(0x80070032u, Errno.EOPNOTSUPP)] // ERROR_NOT_SUPPORTED
    [InlineData(0x8007001Fu, Errno.EIO)]       // ERROR_GEN_FAILURE: not known, EIO
    [InlineData(0x80131620u, Errno.EIO)]       // COR_E_IO, a plain IOException
    public void BackingError_ReadsTheWin32CodeOfAnIOException(uint hresult, Errno expected)
    {
        Assert.Equal(expected, BackingError.From(new IOException("failed", unchecked((int)hresult))));
    }

    [Fact]
    public void BackingError_ReadsTheErrnoOfAnIOExceptionOnUnix()
    {
        var noSpace = new IOException("No space left on device", 28);

        Assert.Equal(OperatingSystem.IsWindows() ? Errno.EIO : Errno.ENOSPC, BackingError.From(noSpace));
    }

    [Fact]
    public void BackingError_ReadsTheExceptionType()
    {
        Assert.Equal(Errno.ENOENT, BackingError.From(new FileNotFoundException()));
        Assert.Equal(Errno.ENOENT, BackingError.From(new DirectoryNotFoundException()));
        Assert.Equal(Errno.ENAMETOOLONG, BackingError.From(new PathTooLongException()));
        Assert.Equal(Errno.EACCES, BackingError.From(new UnauthorizedAccessException()));
        Assert.Equal(Errno.EBADF, BackingError.From(new ObjectDisposedException("handle")));
        Assert.Equal(Errno.EINVAL, BackingError.From(new ArgumentOutOfRangeException("offset")));
        Assert.Equal(Errno.EOPNOTSUPP, BackingError.From(new PlatformNotSupportedException()));
        Assert.True(BackingError.Is(new IOException()));
        Assert.False(BackingError.Is(new InvalidOperationException()));
        Assert.False(BackingError.Is(new NullReferenceException()));
    }

    [Fact]
    public void BackingError_OfARealFailure_IsItsErrno()
    {
        var fs = Mount();
        File.WriteAllText(Path.Combine(_backing, "file"), "");
        Directory.CreateDirectory(Path.Combine(_backing, "dir"));
        File.WriteAllText(Path.Combine(_backing, "dir", "inside"), "");

        var notEmpty = Assert.ThrowsAny<IOException>(() => Directory.Delete(Path.Combine(_backing, "dir")));
        var missing = Assert.ThrowsAny<IOException>(() => File.OpenHandle(Path.Combine(_backing, "missing")));

        Assert.Equal(Errno.ENOTEMPTY, BackingError.From(notEmpty));
        Assert.Equal(Errno.ENOENT, BackingError.From(missing));
        Assert.Equal(Errno.ENOTEMPTY, fs.RemoveDirectory(Root, N("dir")));
    }

    // ---- helpers ----

    private static byte[] N(string name) => Encoding.UTF8.GetBytes(name);

    private static AttributeChanges Changes(AttributeFields fields) => new(fields, 0, 0, 0, 0, 0, 0, 0, 0, null);

    private static string[] Names(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory).Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal)];

    private PortablePassthroughFileSystem Mount(bool? caseInsensitive = null) =>
        Track(caseInsensitive is { } folds ? new PortablePassthroughFileSystem(_backing, 0, 0, folds) : new PortablePassthroughFileSystem(_backing));

    private PortablePassthroughFileSystem Track(PortablePassthroughFileSystem fs)
    {
        _mounted.Add(fs);
        return fs;
    }

    private static EntryInfo LookupOk(IFileSystem fs, ulong parent, string name)
    {
        Assert.Equal(Errno.Success, fs.Lookup(parent, N(name), out var entry));
        return entry;
    }

    private static (EntryInfo Entry, OpenedFile File) CreateOk(IFileSystem fs, string name) => CreateOk(fs, Root, name);

    private static (EntryInfo Entry, OpenedFile File) CreateOk(IFileSystem fs, ulong parent, string name)
    {
        Assert.Equal(Errno.Success, fs.Create(default, parent, N(name), ReadWrite | Creat | Exclusive, 0x1A4, out var entry, out var file));
        return (entry, file);
    }

    private static NodeAttributes AttributesOf(IFileSystem fs, ulong node)
    {
        Assert.Equal(Errno.Success, fs.GetAttributes(node, null, out var attributes));
        return attributes;
    }

    private static void Write(IFileSystem fs, ulong handle, long offset, byte[] data) =>
        Assert.Equal(data.Length, fs.WriteAsync(handle, offset, data, CancellationToken.None).AsTask().GetAwaiter().GetResult().Bytes);

    private static List<RecordingDirectoryWriter.ListedEntry> ReadAll(IFileSystem fs, ulong directory, bool wantsAttributes)
    {
        Assert.Equal(Errno.Success, fs.OpenDirectory(directory, out var handle));
        var writer = new RecordingDirectoryWriter(wantsAttributes);
        Assert.Equal(Errno.Success, fs.ReadDirectory(handle.Handle, 0, writer));
        Assert.Equal(Errno.Success, fs.ReleaseDirectory(handle.Handle));
        return writer.Entries;
    }
}
