using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Tests.Shared.Passthrough;

/// <summary>
/// The <see cref="IFileSystem"/> contract every passthrough keeps, run against each (dotnet/runtime's
/// BaseRateLimiterTests pattern): a test class per passthrough derives from this, says how to make one over a source
/// (<see cref="Create"/>) and which optional features it has (the capability properties). Each test gets a fresh
/// backing directory; what it looks for in the backing store it reads with .NET, not through the passthrough.
/// </summary>
public abstract class PassthroughContract : IDisposable
{
    protected const int ReadOnly = 0, WriteOnly = 1, ReadWrite = 2, Creat = 0x40, Exclusive = 0x80, Truncate = 0x200, Append = 0x400;
    protected const ulong Root = FileSystemIds.Root;
    private const int SeekData = 3, SeekHole = 4;

    private readonly List<IFileSystem> _fileSystems = [];
    private IFileSystem? _fs;

    protected PassthroughContract()
    {
        Backing = Path.Combine(Path.GetTempPath(), $"throttlefs-contract-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Backing);
    }

    /// <summary>The backing directory of this test, empty at the start.</summary>
    protected string Backing { get; }

    /// <summary>The passthrough over <see cref="Backing"/>, made on first use.</summary>
    protected IFileSystem Fs => _fs ??= Mount(Backing);

    protected static RequestContext Caller => default;

    /// <summary>Whether <see cref="IFileSystem.Link"/> makes hard links (else EPERM).</summary>
    protected virtual bool SupportsHardLinks => false;

    /// <summary>Whether extended attributes are kept (else EOPNOTSUPP).</summary>
    protected virtual bool SupportsExtendedAttributes => false;

    /// <summary>Whether names match regardless of case.</summary>
    protected virtual bool IsCaseInsensitive => false;

    /// <summary>Whether a name that is not UTF-8 can be made (else EINVAL).</summary>
    protected virtual bool SupportsNonUtf8Names => false;

    /// <summary>Whether copy_file_range copies (else EOPNOTSUPP, and the caller copies).</summary>
    protected virtual bool SupportsCopyFileRange => false;

    /// <summary>Whether RENAME_EXCHANGE swaps (else EINVAL).</summary>
    protected virtual bool SupportsRenameExchange => false;

    /// <summary>Whether modes carry every Unix permission bit (Windows keeps only "read-only").</summary>
    protected virtual bool HasUnixModes => !OperatingSystem.IsWindows();

    /// <summary>Whether symbolic links can be made here (Windows needs a privilege or developer mode; else EPERM).</summary>
    protected virtual bool SupportsSymbolicLinks => !OperatingSystem.IsWindows();

    /// <summary>
    /// What readlink of a regular file answers: EINVAL, as readlink(2) does. (The Linux passthrough answers ENOENT, which
    /// readlinkat(fd, "") gives for a descriptor that is not a link; the kernel never asks it about a file that is not.)
    /// </summary>
    protected virtual Errno ReadLinkOfAFileError => Errno.EINVAL;

    /// <summary>Makes the passthrough under test over <paramref name="source"/>, a directory or a single file.</summary>
    protected abstract IFileSystem Create(string source);

    public void Dispose()
    {
        foreach (var fs in _fileSystems)
        {
            (fs as IDisposable)?.Dispose();
        }

        foreach (var file in Directory.EnumerateFiles(Backing, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            File.SetAttributes(file, FileAttributes.Normal); // Windows deletes no read-only file
        }

        Directory.Delete(Backing, recursive: true);
        GC.SuppressFinalize(this);
    }

    // ---- lookups and nodes ----

    [Fact]
    public void Lookup_OfAFile_GivesItsNodeAndAttributes()
    {
        File.WriteAllText(Path.Combine(Backing, "a.txt"), "hello");

        var entry = LookupOk(Root, "a.txt");

        Assert.True(FileSystemIds.IsFileSystemNode(entry.Node));
        Assert.NotEqual(Root, entry.Node);
        Assert.Equal(FileModes.RegularFile, entry.Attributes.Type);
        Assert.Equal(5ul, entry.Attributes.Size);
        Assert.Equal(entry.Attributes.Inode, AttributesOf(entry.Node).Inode);
    }

    [Fact]
    public void Lookup_TwiceOfOneName_GivesOneNode()
    {
        File.WriteAllText(Path.Combine(Backing, "a"), "");
        Directory.CreateDirectory(Path.Combine(Backing, "d"));

        var first = LookupOk(Root, "a");
        var second = LookupOk(Root, "a");
        var directory = LookupOk(Root, "d");

        Assert.Equal(first.Node, second.Node);
        Assert.NotEqual(first.Node, directory.Node);
        Assert.True(directory.Attributes.IsDirectory);
    }

    [Fact]
    public void Lookup_OfAMissingName_IsENOENT()
    {
        Assert.Equal(Errno.ENOENT, Fs.Lookup(Root, N("missing"), out _));
    }

    [Fact]
    public void Lookup_InAFile_IsENOTDIR()
    {
        File.WriteAllText(Path.Combine(Backing, "f"), "");
        var file = LookupOk(Root, "f");

        Assert.Equal(Errno.ENOTDIR, Fs.Lookup(file.Node, N("x"), out _));
    }

    [Fact]
    public void Forget_OfEveryLookup_LetsTheNodeGo()
    {
        File.WriteAllText(Path.Combine(Backing, "a"), "");
        var node = LookupOk(Root, "a").Node;
        LookupOk(Root, "a");

        Fs.Forget(node, 1);
        Assert.Equal("a", Fs.PathOf(node));

        Fs.Forget(node, 1);
        Assert.Null(Fs.PathOf(node));
        Assert.Equal(Errno.ENOENT, Fs.GetAttributes(node, null, out _));
    }

    [Fact]
    public void Forget_OfSeveralLookupsAtOnce_LetsTheNodeGo()
    {
        File.WriteAllText(Path.Combine(Backing, "a"), "");
        var node = LookupOk(Root, "a").Node;
        LookupOk(Root, "a");
        LookupOk(Root, "a");

        Fs.Forget(node, 3);

        Assert.Null(Fs.PathOf(node));
    }

    [Fact]
    public void Root_IsADirectoryWithAnEmptyPath()
    {
        Assert.Equal(Errno.Success, Fs.GetAttributes(Root, null, out var root));

        Assert.True(root.IsDirectory);
        Assert.Equal("", Fs.PathOf(Root));
        Fs.Forget(Root, 1); // the root is never forgotten
        Assert.Equal("", Fs.PathOf(Root));
    }

    [Fact]
    public void Lookup_WithCaseChanged_FindsTheNodeOnlyWhenCaseInsensitive()
    {
        File.WriteAllText(Path.Combine(Backing, "Foo.txt"), "");
        var exact = LookupOk(Root, "Foo.txt");

        var error = Fs.Lookup(Root, N("FOO.TXT"), out var other);

        if (IsCaseInsensitive)
        {
            Assert.Equal(Errno.Success, error);
            Assert.Equal(exact.Node, other.Node);
        }
        else
        {
            Assert.Equal(Errno.ENOENT, error);
        }
    }

    [Fact]
    public void Name_ThatIsNotUtf8_IsMadeOnlyWhereSupported()
    {
        byte[] name = [(byte)'a', 0xFF, (byte)'b'];

        var error = Fs.Create(Caller, Root, name, ReadWrite, 0x1A4, out var entry, out var file);

        if (SupportsNonUtf8Names)
        {
            Assert.Equal(Errno.Success, error);
            Assert.Equal(Errno.Success, Fs.Release(file.Handle));
            Assert.Equal(entry.Node, LookupOk(Root, name).Node);
            Assert.Equal(Errno.Success, Fs.Unlink(Root, name)); // .NET could not delete it: it reaches no such name
        }
        else
        {
            Assert.Equal(Errno.EINVAL, error);
            Assert.Equal(Errno.EINVAL, Fs.Lookup(Root, name, out _));
            Assert.Empty(Directory.EnumerateFileSystemEntries(Backing));
        }
    }

    [Fact]
    public void Errors_AreErrnoValues_NotExceptions()
    {
        const ulong unknownNode = 0x7654321;
        const ulong unknownHandle = 4242;
        var buffer = new byte[8];

        Assert.Null(Fs.PathOf(unknownNode));
        Assert.Equal(Errno.ENOENT, Fs.Lookup(unknownNode, N("x"), out _));
        Assert.Equal(Errno.ENOENT, Fs.GetAttributes(unknownNode, null, out _));
        Assert.Equal(Errno.ENOENT, Fs.Open(Caller, unknownNode, ReadOnly, out _));
        Assert.Equal(Errno.ENOENT, Fs.OpenDirectory(unknownNode, out _));
        Assert.Equal(Errno.ENOENT, Fs.Access(unknownNode, 0));
        Assert.Equal(Errno.EBADF, Read(unknownHandle, 0, buffer).Error);
        Assert.Equal(Errno.EBADF, Write(unknownHandle, 0, buffer).Error);
        Assert.Equal(Errno.EBADF, Fs.Flush(unknownHandle));
        Assert.Equal(Errno.EBADF, Fs.Fsync(unknownHandle, false));
        Assert.Equal(Errno.EBADF, Fs.Allocate(unknownHandle, 0, 0, 1));
        Assert.Equal(Errno.EBADF, Fs.Seek(unknownHandle, 0, SeekData, out _));
        Assert.Equal(Errno.EBADF, Fs.Release(unknownHandle));
        Assert.Equal(Errno.EBADF, Fs.ReadDirectory(unknownHandle, 0, new RecordingDirectoryWriter(false)));
        Assert.Equal(Errno.EBADF, Fs.ReleaseDirectory(unknownHandle));
        Assert.Equal(Errno.ENOENT, Fs.Unlink(Root, N("missing")));
        Assert.Equal(Errno.ENOENT, Fs.RemoveDirectory(Root, N("missing")));
        Assert.Equal(Errno.ENOENT, Fs.Rename(Root, N("missing"), Root, N("other"), RenameFlags.None));
    }

    // ---- create, open, read, write ----

    [Fact]
    public void Create_MakesTheFileAndCountsOneLookup()
    {
        var (entry, file) = CreateOk(Root, "new.bin");

        Assert.True(File.Exists(Path.Combine(Backing, "new.bin")));
        Assert.Equal(FileModes.RegularFile, entry.Attributes.Type);
        Assert.Equal(0ul, entry.Attributes.Size);
        Assert.Equal("new.bin", Fs.PathOf(entry.Node));
        Assert.Equal(Errno.Success, Fs.Release(file.Handle));

        Fs.Forget(entry.Node, 1);
        Assert.Null(Fs.PathOf(entry.Node));
    }

    [Fact]
    public void Create_Exclusive_OfAnExistingName_IsEEXIST()
    {
        File.WriteAllText(Path.Combine(Backing, "taken"), "keep");

        var error = Fs.Create(Caller, Root, N("taken"), ReadWrite | Creat | Exclusive, 0x1A4, out _, out _);

        Assert.Equal(Errno.EEXIST, error);
        Assert.Equal("keep", File.ReadAllText(Path.Combine(Backing, "taken")));
    }

    [Fact]
    public void Create_OfAnExistingName_OpensTheFileAsItIs()
    {
        File.WriteAllText(Path.Combine(Backing, "taken"), "keep");
        var known = LookupOk(Root, "taken");

        var (entry, file) = CreateOk(Root, "taken", ReadWrite | Creat);

        Assert.Equal(known.Node, entry.Node);
        Assert.Equal("keep", ReadText(file.Handle, 0, 16));
    }

    [Fact]
    public void Create_GivesTheModeAskedFor()
    {
        var (entry, _) = CreateOk(Root, "private", ReadWrite | Creat, mode: 0x1A0); // 0640

        if (HasUnixModes)
        {
            Assert.Equal(0x1A0u, entry.Attributes.Mode & 0xFFF);
        }
        else
        {
            Assert.NotEqual(0u, entry.Attributes.Mode & 0x80); // the owner may write
        }
    }

    [Fact]
    public void WrittenBytes_ReadBack()
    {
        var (entry, file) = CreateOk(Root, "data");

        Assert.Equal(new IoResult(5, Errno.Success), Write(file.Handle, 0, "hello"u8.ToArray()));
        Assert.Equal(new IoResult(5, Errno.Success), Write(file.Handle, 10, "world"u8.ToArray()));

        var back = new byte[15];
        Assert.Equal(new IoResult(15, Errno.Success), Read(file.Handle, 0, back));
        Assert.Equal("hello\0\0\0\0\0world"u8.ToArray(), back);
        Assert.Equal(15ul, AttributesOf(entry.Node, file.Handle).Size);
        Assert.Equal("hello\0\0\0\0\0world", File.ReadAllText(Path.Combine(Backing, "data")));
    }

    [Fact]
    public void Read_AtTheEndOfTheFile_IsShort()
    {
        File.WriteAllText(Path.Combine(Backing, "ten"), "0123456789");
        var file = OpenOk(LookupOk(Root, "ten").Node, ReadOnly);

        var buffer = new byte[100];
        Assert.Equal(new IoResult(10, Errno.Success), Read(file.Handle, 0, buffer));
        Assert.Equal(new IoResult(4, Errno.Success), Read(file.Handle, 6, buffer));
        Assert.Equal("6789"u8.ToArray(), buffer[..4]);
        Assert.Equal(new IoResult(0, Errno.Success), Read(file.Handle, 10, buffer));
        Assert.Equal(new IoResult(0, Errno.Success), Read(file.Handle, 1000, buffer));
    }

    [Fact]
    public void Open_WithTruncate_EmptiesTheFile()
    {
        File.WriteAllText(Path.Combine(Backing, "full"), "some content");
        var node = LookupOk(Root, "full").Node;

        var file = OpenOk(node, ReadWrite | Truncate);

        Assert.Equal(0ul, AttributesOf(node, file.Handle).Size);
        Assert.Equal(0, new FileInfo(Path.Combine(Backing, "full")).Length);
    }

    [Fact]
    public void Open_WithoutTruncate_KeepsTheContent()
    {
        File.WriteAllText(Path.Combine(Backing, "full"), "some content");
        var node = LookupOk(Root, "full").Node;

        var file = OpenOk(node, WriteOnly);
        Write(file.Handle, 0, "SOME"u8.ToArray());

        Assert.Equal("SOME content", File.ReadAllText(Path.Combine(Backing, "full")));
    }

    [Fact]
    public void Write_WithAppend_GoesToTheEndWhateverTheOffset()
    {
        File.WriteAllText(Path.Combine(Backing, "log"), "one,");
        var file = OpenOk(LookupOk(Root, "log").Node, WriteOnly | Append);

        Assert.Equal(new IoResult(4, Errno.Success), Write(file.Handle, 0, "two,"u8.ToArray()));
        Assert.Equal(new IoResult(5, Errno.Success), Write(file.Handle, 1, "three"u8.ToArray()));

        Assert.Equal("one,two,three", File.ReadAllText(Path.Combine(Backing, "log")));
    }

    [Fact]
    public void Appends_FromTwoOpensAtOnce_EachLandWhole()
    {
        const int writes = 200, size = 64;
        var (_, first) = CreateOk(Root, "shared", WriteOnly | Creat | Append);
        var second = OpenOk(LookupOk(Root, "shared").Node, WriteOnly | Append);

        Parallel.For(0, 2 * writes, i =>
        {
            var chunk = Enumerable.Repeat((byte)('a' + (i % 26)), size).ToArray();
            Assert.Equal(size, Write(i % 2 == 0 ? first.Handle : second.Handle, 0, chunk).Bytes);
        });

        var content = File.ReadAllBytes(Path.Combine(Backing, "shared"));
        Assert.Equal(2 * writes * size, content.Length);
        for (var offset = 0; offset < content.Length; offset += size)
        {
            Assert.All(content.AsSpan(offset, size).ToArray(), b => Assert.Equal(content[offset], b));
        }
    }

    [Fact]
    public void Write_ThroughAReadOnlyOpen_IsEBADF()
    {
        File.WriteAllText(Path.Combine(Backing, "ro"), "x");
        var file = OpenOk(LookupOk(Root, "ro").Node, ReadOnly);

        Assert.Equal(Errno.EBADF, Write(file.Handle, 0, "y"u8.ToArray()).Error);
        Assert.Equal("x", File.ReadAllText(Path.Combine(Backing, "ro")));
    }

    [Fact]
    public void Read_ThroughAWriteOnlyOpen_IsEBADF()
    {
        File.WriteAllText(Path.Combine(Backing, "wo"), "x");
        var file = OpenOk(LookupOk(Root, "wo").Node, WriteOnly);

        Assert.Equal(Errno.EBADF, Read(file.Handle, 0, new byte[1]).Error);
    }

    [Fact]
    public void Handles_AreSmallAndReusedOnceReleased()
    {
        File.WriteAllText(Path.Combine(Backing, "f"), "x");
        var node = LookupOk(Root, "f").Node;
        var first = OpenOk(node, ReadOnly);
        var second = OpenOk(node, ReadOnly);

        Assert.NotEqual(first.Handle, second.Handle);
        Assert.All(new[] { first.Handle, second.Handle }, h => Assert.True(h > 0 && FileSystemIds.IsFileSystemHandle(h)));

        Assert.Equal(Errno.Success, Fs.Release(first.Handle));
        Assert.Equal(Errno.EBADF, Read(first.Handle, 0, new byte[1]).Error);
        Assert.Equal(Errno.EBADF, Fs.Release(first.Handle));
        Assert.Equal(first.Handle, OpenOk(node, ReadOnly).Handle);
    }

    [Fact]
    public void FlushAndFsync_OfAnOpenFile_Succeed()
    {
        var (_, file) = CreateOk(Root, "synced");
        Write(file.Handle, 0, "data"u8.ToArray());

        Assert.Equal(Errno.Success, Fs.Flush(file.Handle));
        Assert.Equal(Errno.Success, Fs.Fsync(file.Handle, dataOnly: false));
        Assert.Equal(Errno.Success, Fs.Fsync(file.Handle, dataOnly: true));
    }

    [Fact]
    public void Allocate_GrowsTheFileToCoverTheRange()
    {
        var (entry, file) = CreateOk(Root, "grown");
        Write(file.Handle, 0, "abc"u8.ToArray());

        Assert.Equal(Errno.Success, Fs.Allocate(file.Handle, 0, 4096, 4096));
        Assert.Equal(8192ul, AttributesOf(entry.Node, file.Handle).Size);

        Assert.Equal(Errno.Success, Fs.Allocate(file.Handle, 0, 0, 100)); // inside the file: nothing changes
        Assert.Equal(8192ul, AttributesOf(entry.Node, file.Handle).Size);
        Assert.Equal("abc"u8.ToArray(), File.ReadAllBytes(Path.Combine(Backing, "grown"))[..3]);
    }

    [Fact]
    public void Seek_DataAndHole_OfAFileWithoutHoles()
    {
        var (_, file) = CreateOk(Root, "dense");
        Write(file.Handle, 0, new byte[10_000]);

        Assert.Equal(Errno.Success, Fs.Seek(file.Handle, 100, SeekData, out var data));
        Assert.Equal(100, data);
        Assert.Equal(Errno.Success, Fs.Seek(file.Handle, 100, SeekHole, out var hole));
        Assert.Equal(10_000, hole);
        Assert.Equal(Errno.ENXIO, Fs.Seek(file.Handle, 10_000, SeekData, out _));
        Assert.Equal(Errno.ENXIO, Fs.Seek(file.Handle, 20_000, SeekHole, out _));
    }

    [Fact]
    public void CopyFileRange_CopiesOrAsksTheCallerTo()
    {
        var (_, source) = CreateOk(Root, "from");
        Write(source.Handle, 0, "0123456789"u8.ToArray());
        var (_, target) = CreateOk(Root, "to");

        var copied = Fs.CopyFileRangeAsync(source.Handle, 2, target.Handle, 0, 5, CancellationToken.None).AsTask().GetAwaiter().GetResult();

        if (SupportsCopyFileRange)
        {
            Assert.Equal(new IoResult(5, Errno.Success), copied);
            Assert.Equal("23456", File.ReadAllText(Path.Combine(Backing, "to")));
        }
        else
        {
            Assert.Equal(Errno.EOPNOTSUPP, copied.Error);
        }
    }

    // ---- names ----

    [Fact]
    public void PathOf_FollowsARenameOfTheFile()
    {
        var (entry, _) = CreateOk(Root, "before");
        Directory.CreateDirectory(Path.Combine(Backing, "sub"));
        var sub = LookupOk(Root, "sub");

        Assert.Equal(Errno.Success, Fs.Rename(Root, N("before"), sub.Node, N("after"), RenameFlags.None));

        Assert.Equal("sub/after", Fs.PathOf(entry.Node));
        Assert.True(File.Exists(Path.Combine(Backing, "sub", "after")));
        Assert.Equal(Errno.ENOENT, Fs.Lookup(Root, N("before"), out _));
        Assert.Equal(entry.Node, LookupOk(sub.Node, "after").Node);
    }

    [Fact]
    public void PathOf_FollowsARenameOfItsParentDirectory()
    {
        Assert.Equal(Errno.Success, Fs.MakeDirectory(Caller, Root, N("old"), 0x1ED, out var directory));
        Assert.Equal(Errno.Success, Fs.MakeDirectory(Caller, directory.Node, N("inner"), 0x1ED, out var inner));
        var (file, _) = CreateOk(inner.Node, "file");

        Assert.Equal(Errno.Success, Fs.Rename(Root, N("old"), Root, N("new"), RenameFlags.None));

        Assert.Equal("new", Fs.PathOf(directory.Node));
        Assert.Equal("new/inner/file", Fs.PathOf(file.Node));
        Assert.Equal(Errno.Success, Fs.GetAttributes(file.Node, null, out _));
    }

    [Fact]
    public void Rename_NoReplace_OntoAnExistingName_IsEEXIST()
    {
        File.WriteAllText(Path.Combine(Backing, "a"), "A");
        File.WriteAllText(Path.Combine(Backing, "b"), "B");

        Assert.Equal(Errno.EEXIST, Fs.Rename(Root, N("a"), Root, N("b"), RenameFlags.NoReplace));

        Assert.Equal("A", File.ReadAllText(Path.Combine(Backing, "a")));
        Assert.Equal("B", File.ReadAllText(Path.Combine(Backing, "b")));
    }

    [Fact]
    public void Rename_NoReplace_OntoAFreeName_Moves()
    {
        File.WriteAllText(Path.Combine(Backing, "a"), "A");

        Assert.Equal(Errno.Success, Fs.Rename(Root, N("a"), Root, N("b"), RenameFlags.NoReplace));

        Assert.False(File.Exists(Path.Combine(Backing, "a")));
        Assert.Equal("A", File.ReadAllText(Path.Combine(Backing, "b")));
    }

    [Fact]
    public void Rename_OntoAnExistingFile_ReplacesIt()
    {
        File.WriteAllText(Path.Combine(Backing, "a"), "A");
        File.WriteAllText(Path.Combine(Backing, "b"), "B");
        var moved = LookupOk(Root, "a").Node;

        Assert.Equal(Errno.Success, Fs.Rename(Root, N("a"), Root, N("b"), RenameFlags.None));

        Assert.Equal(new[] { "b" }, Names(Backing));
        Assert.Equal("A", File.ReadAllText(Path.Combine(Backing, "b")));
        Assert.Equal(moved, LookupOk(Root, "b").Node);
    }

    [Fact]
    public void Rename_OfADirectoryOntoANonEmptyOne_IsENOTEMPTY()
    {
        Directory.CreateDirectory(Path.Combine(Backing, "src"));
        Directory.CreateDirectory(Path.Combine(Backing, "dst"));
        File.WriteAllText(Path.Combine(Backing, "dst", "keep"), "");

        Assert.Equal(Errno.ENOTEMPTY, Fs.Rename(Root, N("src"), Root, N("dst"), RenameFlags.None));

        Assert.True(Directory.Exists(Path.Combine(Backing, "src")));
        Assert.True(File.Exists(Path.Combine(Backing, "dst", "keep")));
    }

    [Fact]
    public void Rename_OfADirectoryOntoAnEmptyOne_ReplacesIt()
    {
        Directory.CreateDirectory(Path.Combine(Backing, "src"));
        File.WriteAllText(Path.Combine(Backing, "src", "inside"), "");
        Directory.CreateDirectory(Path.Combine(Backing, "dst"));

        Assert.Equal(Errno.Success, Fs.Rename(Root, N("src"), Root, N("dst"), RenameFlags.None));

        Assert.Equal(new[] { "dst" }, Names(Backing));
        Assert.True(File.Exists(Path.Combine(Backing, "dst", "inside")));
    }

    [Fact]
    public void Rename_OfAFileOntoADirectory_IsEISDIR_AndTheReverseENOTDIR()
    {
        File.WriteAllText(Path.Combine(Backing, "file"), "");
        Directory.CreateDirectory(Path.Combine(Backing, "dir"));

        Assert.Equal(Errno.EISDIR, Fs.Rename(Root, N("file"), Root, N("dir"), RenameFlags.None));
        Assert.Equal(Errno.ENOTDIR, Fs.Rename(Root, N("dir"), Root, N("file"), RenameFlags.None));
    }

    [Fact]
    public void Rename_Exchange_SwapsOrIsEINVAL()
    {
        File.WriteAllText(Path.Combine(Backing, "a"), "A");
        File.WriteAllText(Path.Combine(Backing, "b"), "B");

        var error = Fs.Rename(Root, N("a"), Root, N("b"), RenameFlags.Exchange);

        if (SupportsRenameExchange)
        {
            Assert.Equal(Errno.Success, error);
            Assert.Equal("B", File.ReadAllText(Path.Combine(Backing, "a")));
        }
        else
        {
            Assert.Equal(Errno.EINVAL, error);
            Assert.Equal("A", File.ReadAllText(Path.Combine(Backing, "a")));
        }
    }

    [Fact]
    public void Unlink_OfAnOpenFile_LeavesItUsableThroughItsOpen()
    {
        var (entry, file) = CreateOk(Root, "doomed");
        Write(file.Handle, 0, "hello"u8.ToArray());

        Assert.Equal(Errno.Success, Fs.Unlink(Root, N("doomed")));

        Assert.False(File.Exists(Path.Combine(Backing, "doomed")));
        Assert.Equal(Errno.ENOENT, Fs.Lookup(Root, N("doomed"), out _));
        Assert.Equal("hello", ReadText(file.Handle, 0, 100));
        Assert.Equal(new IoResult(6, Errno.Success), Write(file.Handle, 5, " world"u8.ToArray()));
        Assert.Equal("hello world", ReadText(file.Handle, 0, 100));
        Assert.Equal(11ul, AttributesOf(entry.Node, file.Handle).Size);
        Assert.Equal(Errno.Success, Fs.Release(file.Handle));
    }

    [Fact]
    public void Unlink_OfADirectory_IsEISDIR()
    {
        Directory.CreateDirectory(Path.Combine(Backing, "dir"));

        Assert.Equal(Errno.EISDIR, Fs.Unlink(Root, N("dir")));
        Assert.True(Directory.Exists(Path.Combine(Backing, "dir")));
    }

    [Fact]
    public void Unlink_ThenCreateOfTheSameName_GivesANewNode()
    {
        File.WriteAllText(Path.Combine(Backing, "f"), "old");
        var old = LookupOk(Root, "f").Node;

        Assert.Equal(Errno.Success, Fs.Unlink(Root, N("f")));
        var (entry, _) = CreateOk(Root, "f");

        Assert.NotEqual(old, entry.Node);
        Assert.Equal("f", Fs.PathOf(entry.Node));
    }

    [Fact]
    public void MakeDirectory_ThenRemoveDirectory()
    {
        Assert.Equal(Errno.Success, Fs.MakeDirectory(Caller, Root, N("dir"), 0x1ED, out var entry));
        Assert.True(entry.Attributes.IsDirectory);
        Assert.True(Directory.Exists(Path.Combine(Backing, "dir")));
        Assert.Equal("dir", Fs.PathOf(entry.Node));

        Assert.Equal(Errno.Success, Fs.RemoveDirectory(Root, N("dir")));

        Assert.False(Directory.Exists(Path.Combine(Backing, "dir")));
        Assert.Equal(Errno.ENOENT, Fs.Lookup(Root, N("dir"), out _));
    }

    [Fact]
    public void MakeDirectory_OfAnExistingName_IsEEXIST()
    {
        Directory.CreateDirectory(Path.Combine(Backing, "dir"));
        File.WriteAllText(Path.Combine(Backing, "file"), "");

        Assert.Equal(Errno.EEXIST, Fs.MakeDirectory(Caller, Root, N("dir"), 0x1ED, out _));
        Assert.Equal(Errno.EEXIST, Fs.MakeDirectory(Caller, Root, N("file"), 0x1ED, out _));
    }

    [Fact]
    public void RemoveDirectory_OfANonEmptyDirectory_IsENOTEMPTY()
    {
        Directory.CreateDirectory(Path.Combine(Backing, "dir"));
        File.WriteAllText(Path.Combine(Backing, "dir", "f"), "");

        Assert.Equal(Errno.ENOTEMPTY, Fs.RemoveDirectory(Root, N("dir")));
        Assert.True(File.Exists(Path.Combine(Backing, "dir", "f")));
    }

    [Fact]
    public void RemoveDirectory_OfAFile_IsENOTDIR()
    {
        File.WriteAllText(Path.Combine(Backing, "f"), "");

        Assert.Equal(Errno.ENOTDIR, Fs.RemoveDirectory(Root, N("f")));
        Assert.True(File.Exists(Path.Combine(Backing, "f")));
    }

    [Fact]
    public void MakeNode_OfARegularFile_MakesIt()
    {
        Assert.Equal(Errno.Success, Fs.MakeNode(Caller, Root, N("plain"), FileModes.RegularFile | 0x1A4, 0, out var entry));

        Assert.Equal(FileModes.RegularFile, entry.Attributes.Type);
        Assert.True(File.Exists(Path.Combine(Backing, "plain")));
        Assert.Equal(Errno.EEXIST, Fs.MakeNode(Caller, Root, N("plain"), FileModes.RegularFile | 0x1A4, 0, out _));
    }

    [Fact]
    public void Symlink_ReadsBackItsTarget()
    {
        var error = Fs.Symlink(Caller, Root, N("link"), N("target/file"), out var entry);
        if (!SupportsSymbolicLinks && error == Errno.EPERM)
        {
            return;
        }

        Assert.Equal(Errno.Success, error);
        Assert.Equal(FileModes.SymbolicLink, entry.Attributes.Type);
        var target = new byte[64];
        Assert.Equal(Errno.Success, Fs.ReadLink(entry.Node, target, out var length));
        Assert.Equal("target/file", Encoding.UTF8.GetString(target, 0, length));
        Assert.Equal(FileModes.SymbolicLink, LookupOk(Root, "link").Attributes.Type);
    }

    [Fact]
    public void ReadLink_OfAFile_IsRefused()
    {
        File.WriteAllText(Path.Combine(Backing, "f"), "");

        Assert.Equal(ReadLinkOfAFileError, Fs.ReadLink(LookupOk(Root, "f").Node, new byte[64], out _));
    }

    [Fact]
    public void Link_MakesAHardLinkOrIsEPERM()
    {
        File.WriteAllText(Path.Combine(Backing, "f"), "shared");
        var file = LookupOk(Root, "f");

        var error = Fs.Link(file.Node, Root, N("g"), out var link);

        if (SupportsHardLinks)
        {
            Assert.Equal(Errno.Success, error);
            Assert.Equal(file.Node, link.Node);
            Assert.Equal(2u, link.Attributes.Links);
            Assert.Equal("shared", File.ReadAllText(Path.Combine(Backing, "g")));
        }
        else
        {
            Assert.Equal(Errno.EPERM, error);
            Assert.False(File.Exists(Path.Combine(Backing, "g")));
        }
    }

    [Fact]
    public void ExtendedAttributes_AreKeptOrEOPNOTSUPP()
    {
        File.WriteAllText(Path.Combine(Backing, "f"), "");
        var node = LookupOk(Root, "f").Node;
        var name = N("user.throttlefs.test");

        var set = Fs.SetExtendedAttribute(Caller, node, name, "value"u8, 0);
        var value = new byte[64];
        var get = Fs.GetExtendedAttribute(node, name, value, out var length);
        var list = Fs.ListExtendedAttributes(node, Span<byte>.Empty, out var listLength);
        var remove = Fs.RemoveExtendedAttribute(Caller, node, name);

        if (SupportsExtendedAttributes)
        {
            Assert.Equal([Errno.Success, Errno.Success, Errno.Success, Errno.Success], new[] { set, get, list, remove });
            Assert.Equal("value", Encoding.UTF8.GetString(value, 0, length));
            Assert.True(listLength >= name.Length + 1);
            Assert.Equal(Errno.ENODATA, Fs.GetExtendedAttribute(node, name, value, out _));
        }
        else
        {
            Assert.All(new[] { set, get, list, remove }, error => Assert.Equal(Errno.EOPNOTSUPP, error));
        }
    }

    // ---- directories ----

    [Fact]
    public void ReadDirectory_ListsTheDotsAndEveryEntry_CountingNoLookup()
    {
        File.WriteAllText(Path.Combine(Backing, "a"), "");
        File.WriteAllText(Path.Combine(Backing, ".hidden"), "");
        Directory.CreateDirectory(Path.Combine(Backing, "d"));

        var entries = ReadAll(Root, wantsAttributes: false, capacity: int.MaxValue);

        Assert.Equal([".", "..", ".hidden", "a", "d"], entries.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal(FileModes.EntryType(FileModes.Directory), entries.Single(e => e.Name == "d").Type);
        Assert.Equal(FileModes.EntryType(FileModes.RegularFile), entries.Single(e => e.Name == "a").Type);

        // Had the listing counted a lookup, this one forgotten would leave the node known.
        var node = LookupOk(Root, "a").Node;
        Fs.Forget(node, 1);
        Assert.Null(Fs.PathOf(node));
    }

    [Fact]
    public void ReadDirectory_WithAttributes_CountsOneLookupPerEntry()
    {
        File.WriteAllText(Path.Combine(Backing, "a"), "12345");
        Directory.CreateDirectory(Path.Combine(Backing, "d"));

        var entries = ReadAll(Root, wantsAttributes: true, capacity: int.MaxValue);

        Assert.All(entries.Where(e => e.IsDot), e => Assert.Equal(0ul, e.Entry.Node));
        var named = entries.Where(e => !e.IsDot).ToList();
        Assert.Equal(["a", "d"], named.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal(5ul, named.Single(e => e.Name == "a").Entry.Attributes.Size);
        foreach (var entry in named)
        {
            Assert.Equal(entry.Name, Fs.PathOf(entry.Entry.Node));
            Assert.Equal(entry.Inode, entry.Entry.Attributes.Inode);
            Assert.Equal(entry.Entry.Attributes.Inode, AttributesOf(entry.Entry.Node).Inode);
            Fs.Forget(entry.Entry.Node, 1);
            Assert.Null(Fs.PathOf(entry.Entry.Node));
        }
    }

    [Fact]
    public void ReadDirectory_InSmallReplies_ResumesWhereTheLastStopped()
    {
        var names = Enumerable.Range(0, 25).Select(i => $"file{i:D2}").ToList();
        names.ForEach(name => File.WriteAllText(Path.Combine(Backing, name), ""));

        var entries = ReadAll(Root, wantsAttributes: true, capacity: 3);

        Assert.Equal([".", "..", .. names], entries.Select(e => e.Name).Order(StringComparer.Ordinal));

        // An entry that did not fit a reply was given back: each node is held exactly once.
        foreach (var entry in entries.Where(e => !e.IsDot))
        {
            Fs.Forget(entry.Entry.Node, 1);
            Assert.Null(Fs.PathOf(entry.Entry.Node));
        }
    }

    [Fact]
    public void ReadDirectory_OfASubdirectory_ListsItsEntries()
    {
        Directory.CreateDirectory(Path.Combine(Backing, "sub", "deeper"));
        File.WriteAllText(Path.Combine(Backing, "sub", "inside"), "");
        var sub = LookupOk(Root, "sub");

        var entries = ReadAll(sub.Node, wantsAttributes: false, capacity: int.MaxValue);

        Assert.Equal([".", "..", "deeper", "inside"], entries.Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void OpenDirectory_OfAFile_IsENOTDIR()
    {
        File.WriteAllText(Path.Combine(Backing, "f"), "");

        Assert.Equal(Errno.ENOTDIR, Fs.OpenDirectory(LookupOk(Root, "f").Node, out _));
    }

    [Fact]
    public void FsyncDirectory_AndRelease_OfAnOpenDirectory()
    {
        Assert.Equal(Errno.Success, Fs.OpenDirectory(Root, out var directory));
        Assert.True(FileSystemIds.IsFileSystemHandle(directory.Handle));

        Assert.Equal(Errno.Success, Fs.FsyncDirectory(directory.Handle, dataOnly: false));
        Assert.Equal(Errno.Success, Fs.ReleaseDirectory(directory.Handle));
        Assert.Equal(Errno.EBADF, Fs.ReadDirectory(directory.Handle, 0, new RecordingDirectoryWriter(false)));
    }

    // ---- attributes ----

    [Fact]
    public void SetAttributes_Size_TruncatesAndExtends()
    {
        File.WriteAllText(Path.Combine(Backing, "f"), "0123456789");
        var node = LookupOk(Root, "f").Node;

        Assert.Equal(Errno.Success, Fs.SetAttributes(node, Changes(AttributeFields.Size) with { Size = 3 }, out var shorter));
        Assert.Equal(3ul, shorter.Size);
        Assert.Equal("012", File.ReadAllText(Path.Combine(Backing, "f")));

        var file = OpenOk(node, ReadWrite);
        Assert.Equal(Errno.Success, Fs.SetAttributes(node, Changes(AttributeFields.Size) with { Size = 5000, Handle = file.Handle }, out var longer));
        Assert.Equal(5000ul, longer.Size);
        Assert.Equal(5000, new FileInfo(Path.Combine(Backing, "f")).Length);
    }

    [Fact]
    public void SetAttributes_Mode_ChangesThePermissions()
    {
        File.WriteAllText(Path.Combine(Backing, "f"), "");
        var node = LookupOk(Root, "f").Node;

        if (HasUnixModes)
        {
            Assert.Equal(Errno.Success, Fs.SetAttributes(node, Changes(AttributeFields.Mode) with { Mode = 0x180 }, out var changed)); // 0600
            Assert.Equal(FileModes.RegularFile | 0x180, changed.Mode);
        }
        else
        {
            Assert.Equal(Errno.Success, Fs.SetAttributes(node, Changes(AttributeFields.Mode) with { Mode = 0x124 }, out var readOnly)); // 0444
            Assert.Equal(0u, readOnly.Mode & 0x92);
            Assert.Equal(Errno.Success, Fs.SetAttributes(node, Changes(AttributeFields.Mode) with { Mode = 0x1A4 }, out var writable)); // 0644
            Assert.NotEqual(0u, writable.Mode & 0x80);
        }
    }

    [Fact]
    public void SetAttributes_Times_ReadBackToTheTick()
    {
        File.WriteAllText(Path.Combine(Backing, "f"), "");
        var node = LookupOk(Root, "f").Node;
        var changes = Changes(AttributeFields.AccessTime | AttributeFields.ModifyTime) with
        {
            AccessSeconds = 1_600_000_000, AccessNanoseconds = 123_456_700,
            ModifySeconds = 1_500_000_000, ModifyNanoseconds = 987_654_300,
        };

        Assert.Equal(Errno.Success, Fs.SetAttributes(node, changes, out var changed));

        Assert.Equal((1_600_000_000L, 123_456_700u), (changed.AccessSeconds, changed.AccessNanoseconds));
        Assert.Equal((1_500_000_000L, 987_654_300u), (changed.ModifySeconds, changed.ModifyNanoseconds));
        Assert.Equal(DateTime.UnixEpoch.AddSeconds(1_500_000_000).AddTicks(9_876_543), File.GetLastWriteTimeUtc(Path.Combine(Backing, "f")));
    }

    [Fact]
    public void SetAttributes_OnlyModifyTime_LeavesTheAccessTime()
    {
        File.WriteAllText(Path.Combine(Backing, "f"), "");
        var node = LookupOk(Root, "f").Node;
        Fs.SetAttributes(node, Changes(AttributeFields.AccessTime) with { AccessSeconds = 1_000_000_000 }, out _);

        Assert.Equal(Errno.Success, Fs.SetAttributes(node, Changes(AttributeFields.ModifyTime) with { ModifySeconds = 1_200_000_000 }, out var changed));

        Assert.Equal(1_000_000_000, changed.AccessSeconds);
        Assert.Equal(1_200_000_000, changed.ModifySeconds);
    }

    [Fact]
    public void SetAttributes_ToTheCurrentOwner_Succeeds()
    {
        File.WriteAllText(Path.Combine(Backing, "f"), "");
        var entry = LookupOk(Root, "f");
        var owner = Changes(AttributeFields.Uid | AttributeFields.Gid) with { Uid = entry.Attributes.Uid, Gid = entry.Attributes.Gid };

        Assert.Equal(Errno.Success, Fs.SetAttributes(entry.Node, owner, out var changed));

        Assert.Equal((entry.Attributes.Uid, entry.Attributes.Gid), (changed.Uid, changed.Gid));
    }

    [Fact]
    public void GetVolumeStatistics_DescribesTheBackingVolume()
    {
        Assert.Equal(Errno.Success, Fs.GetVolumeStatistics(Root, out var statistics));

        Assert.True(statistics.BlockSize > 0);
        Assert.True(statistics.Blocks > 0);
        Assert.InRange(statistics.BlocksFree, 1ul, statistics.Blocks);
        Assert.InRange(statistics.BlocksAvailable, 0ul, statistics.BlocksFree);
        Assert.Equal(255u, statistics.NameMax);
    }

    [Fact]
    public void Access_OfAnExistingNode_Succeeds()
    {
        File.WriteAllText(Path.Combine(Backing, "f"), "");
        var node = LookupOk(Root, "f").Node;

        Assert.Equal(Errno.Success, Fs.Access(node, 0));
        Assert.Equal(Errno.Success, Fs.Access(node, 4));
        Assert.Equal(Errno.Success, Fs.Access(Root, 0));
    }

    [Fact]
    public void RemovePrivileges_OfAPlainFile_RemovesNothing()
    {
        File.WriteAllText(Path.Combine(Backing, "f"), "");
        var node = LookupOk(Root, "f").Node;

        Assert.Equal(Errno.Success, Fs.RemovePrivileges(Caller, node, out var removed));
        Assert.False(removed);
    }

    // ---- a single file as the source ----

    [Fact]
    public void SingleFile_RootListsTheFileAlone()
    {
        var fs = SingleFileMount("disk.img", "image");

        var entries = ReadAll(fs, Root, wantsAttributes: true, capacity: int.MaxValue);

        Assert.Equal([".", "..", "disk.img"], entries.Select(e => e.Name));
        var file = entries[2].Entry;
        Assert.Equal(5ul, file.Attributes.Size);
        Assert.Equal("disk.img", fs.PathOf(file.Node));
        Assert.Equal("", fs.PathOf(Root));
    }

    [Fact]
    public void SingleFile_IsReachedByItsNameAlone()
    {
        var fs = SingleFileMount("disk.img", "image");

        Assert.Equal(Errno.ENOENT, fs.Lookup(Root, N("beside.txt"), out _));
        Assert.Equal(Errno.Success, fs.GetAttributes(Root, null, out var root));
        Assert.True(root.IsDirectory);
        Assert.Equal(Errno.Success, fs.Lookup(Root, N("disk.img"), out var entry));
        Assert.Equal(Errno.Success, fs.Open(Caller, entry.Node, ReadWrite, out var file));
        Assert.Equal(5, fs.WriteAsync(file.Handle, 5, "-more"u8.ToArray(), CancellationToken.None).AsTask().GetAwaiter().GetResult().Bytes);

        Assert.Equal("image-more", File.ReadAllText(Path.Combine(Backing, "disk.img")));
        Assert.Equal(Errno.Success, fs.Release(file.Handle));
    }

    [Fact]
    public void SingleFile_NothingCanBeMadeBesideIt()
    {
        var fs = SingleFileMount("disk.img", "image");

        Assert.Equal(Errno.EPERM, fs.Create(Caller, Root, N("new"), ReadWrite | Creat, 0x1A4, out _, out _));
        Assert.Equal(Errno.EPERM, fs.MakeDirectory(Caller, Root, N("dir"), 0x1ED, out _));
        Assert.Equal(Errno.EPERM, fs.Unlink(Root, N("disk.img")));
        Assert.Equal(Errno.EPERM, fs.Rename(Root, N("disk.img"), Root, N("other"), RenameFlags.None));
        Assert.False(File.Exists(Path.Combine(Backing, "new")));
        Assert.True(File.Exists(Path.Combine(Backing, "disk.img")));
    }

    // ---- helpers ----

    protected static byte[] N(string name) => Encoding.UTF8.GetBytes(name);

    protected static AttributeChanges Changes(AttributeFields fields) => new(fields, 0, 0, 0, 0, 0, 0, 0, 0, null);

    protected static string[] Names(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory).Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal)];

    /// <summary>Makes a passthrough over <paramref name="source"/>, disposed with the test.</summary>
    protected IFileSystem Mount(string source)
    {
        var fs = Create(source);
        _fileSystems.Add(fs);
        return fs;
    }

    /// <summary>A passthrough over a single file <paramref name="name"/> in the backing directory, beside another file.</summary>
    protected IFileSystem SingleFileMount(string name, string content)
    {
        File.WriteAllText(Path.Combine(Backing, name), content);
        File.WriteAllText(Path.Combine(Backing, "beside.txt"), "not shown");
        return Mount(Path.Combine(Backing, name));
    }

    protected EntryInfo LookupOk(ulong parent, string name) => LookupOk(parent, N(name));

    protected EntryInfo LookupOk(ulong parent, byte[] name)
    {
        Assert.Equal(Errno.Success, Fs.Lookup(parent, name, out var entry));
        return entry;
    }

    protected (EntryInfo Entry, OpenedFile File) CreateOk(ulong parent, string name, int flags = ReadWrite | Creat | Exclusive, uint mode = 0x1A4)
    {
        Assert.Equal(Errno.Success, Fs.Create(Caller, parent, N(name), flags, mode, out var entry, out var file));
        Assert.True(FileSystemIds.IsFileSystemHandle(file.Handle));
        return (entry, file);
    }

    protected OpenedFile OpenOk(ulong node, int flags)
    {
        Assert.Equal(Errno.Success, Fs.Open(Caller, node, flags, out var file));
        return file;
    }

    protected NodeAttributes AttributesOf(ulong node, ulong? handle = null)
    {
        Assert.Equal(Errno.Success, Fs.GetAttributes(node, handle, out var attributes));
        return attributes;
    }

    protected IoResult Read(ulong handle, long offset, byte[] buffer) =>
        Fs.ReadAsync(handle, offset, buffer, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    protected IoResult Write(ulong handle, long offset, byte[] data) =>
        Fs.WriteAsync(handle, offset, data, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    protected string ReadText(ulong handle, long offset, int count)
    {
        var buffer = new byte[count];
        var read = Read(handle, offset, buffer);
        Assert.Equal(Errno.Success, read.Error);
        return Encoding.UTF8.GetString(buffer, 0, (int)read.Bytes);
    }

    protected List<RecordingDirectoryWriter.ListedEntry> ReadAll(ulong directory, bool wantsAttributes, int capacity) =>
        ReadAll(Fs, directory, wantsAttributes, capacity);

    /// <summary>Reads a whole listing, reply after reply from where the last one stopped, as a platform does.</summary>
    protected static List<RecordingDirectoryWriter.ListedEntry> ReadAll(IFileSystem fs, ulong directory, bool wantsAttributes, int capacity)
    {
        Assert.Equal(Errno.Success, fs.OpenDirectory(directory, out var handle));
        var writer = new RecordingDirectoryWriter(wantsAttributes, capacity);
        var offset = 0L;
        for (var replies = 0; replies < 10_000; replies++)
        {
            writer.NextReply();
            Assert.Equal(Errno.Success, fs.ReadDirectory(handle.Handle, offset, writer));
            if (writer.InReply == 0)
            {
                break;
            }

            offset = writer.NextOffset;
        }

        Assert.Equal(Errno.Success, fs.ReleaseDirectory(handle.Handle));
        return writer.Entries;
    }
}
