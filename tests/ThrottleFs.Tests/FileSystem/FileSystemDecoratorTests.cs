using ThrottleFs.FileSystem;

namespace ThrottleFs.Tests.FileSystem;

/// <summary>
/// <see cref="FileSystemDecorator"/> forwards every member of <see cref="IFileSystem"/> to the filesystem under it:
/// each member is called once on a <see cref="RecordingFileSystem"/> directly and once through a decorator that
/// overrides nothing, and the two must record the same call and give the same results (out values, bytes written into
/// the caller's buffers and directory writer included). The members are read from the interface, so one added to it
/// without a call here fails.
/// </summary>
public sealed class FileSystemDecoratorTests : IDisposable
{
    private static readonly RequestContext Context = new(1000, 100, 4242);
    private static readonly AttributeChanges Changes = new(AttributeFields.Size | AttributeFields.ModifyTime, 0x1A4, 1, 2, 4096, 3, 4, 5, 6, Handle: 55);

    private readonly CancellationTokenSource _cancellation = new();
    private readonly byte[] _buffer = new byte[16];
    private readonly ReadOnlyMemory<byte> _source = "written"u8.ToArray();
    private readonly DirectoryListing _listing = new(wantsAttributes: true);
    private readonly Dictionary<string, Func<IFileSystem, ValueTask<object?[]>>> _calls;

    public FileSystemDecoratorTests()
    {
        var token = _cancellation.Token;
        _calls = new()
        {
            [nameof(IFileSystem.PathOf)] = fs => Results(fs.PathOf(3)),
            [nameof(IFileSystem.Lookup)] = fs => Results(fs.Lookup(3, "name"u8, out var entry), entry),
            [nameof(IFileSystem.Forget)] = fs =>
            {
                fs.Forget(3, 2);
                return Results();
            },
            [nameof(IFileSystem.GetAttributes)] = fs => Results(fs.GetAttributes(3, 55, out var attributes), attributes),
            [nameof(IFileSystem.SetAttributes)] = fs => Results(fs.SetAttributes(3, Changes, out var attributes), attributes),
            [nameof(IFileSystem.RemovePrivileges)] = fs => Results(fs.RemovePrivileges(Context, 3, out var removed), removed),
            [nameof(IFileSystem.ReadLink)] = fs => Filled(() => (fs.ReadLink(3, _buffer, out var length), length)),
            [nameof(IFileSystem.MakeNode)] = fs => Results(fs.MakeNode(Context, 3, "node"u8, FileModes.RegularFile | 0x1A4, 0x801, out var entry), entry),
            [nameof(IFileSystem.MakeDirectory)] = fs => Results(fs.MakeDirectory(Context, 3, "dir"u8, 0x1ED, out var entry), entry),
            [nameof(IFileSystem.Symlink)] = fs => Results(fs.Symlink(Context, 3, "link"u8, "target"u8, out var entry), entry),
            [nameof(IFileSystem.Link)] = fs => Results(fs.Link(4, 3, "hard"u8, out var entry), entry),
            [nameof(IFileSystem.Unlink)] = fs => Results(fs.Unlink(3, "gone"u8)),
            [nameof(IFileSystem.RemoveDirectory)] = fs => Results(fs.RemoveDirectory(3, "empty"u8)),
            [nameof(IFileSystem.Rename)] = fs => Results(fs.Rename(3, "from"u8, 5, "to"u8, RenameFlags.NoReplace)),
            [nameof(IFileSystem.Open)] = fs => Results(fs.Open(Context, 4, 0x4002, out var file), file),
            [nameof(IFileSystem.Create)] = fs => Results(fs.Create(Context, 3, "new"u8, 0xC1, 0x1A4, out var entry, out var file), entry, file),
            [nameof(IFileSystem.ReadAsync)] = async fs =>
            {
                Array.Clear(_buffer);
                var result = await fs.ReadAsync(55, 4096, _buffer.AsMemory(2, 8), token);
                return [result, _buffer.ToArray()];
            },
            [nameof(IFileSystem.WriteAsync)] = async fs => [await fs.WriteAsync(55, 8192, _source, token)],
            [nameof(IFileSystem.CopyFileRangeAsync)] = async fs => [await fs.CopyFileRangeAsync(55, 1, 56, 2, 3, token)],
            [nameof(IFileSystem.Flush)] = fs => Results(fs.Flush(55)),
            [nameof(IFileSystem.Release)] = fs => Results(fs.Release(55)),
            [nameof(IFileSystem.Fsync)] = fs => Results(fs.Fsync(55, dataOnly: true)),
            [nameof(IFileSystem.Allocate)] = fs => Results(fs.Allocate(55, 1, 2, 3)),
            [nameof(IFileSystem.Seek)] = fs => Results(fs.Seek(55, 10, 3, out var offset), offset),
            [nameof(IFileSystem.OpenDirectory)] = fs => Results(fs.OpenDirectory(3, out var directory), directory),
            [nameof(IFileSystem.ReadDirectory)] = fs =>
            {
                _listing.Entries.Clear();
                return Results(fs.ReadDirectory(55, 7, _listing), _listing.Entries.Single());
            },
            [nameof(IFileSystem.ReleaseDirectory)] = fs => Results(fs.ReleaseDirectory(55)),
            [nameof(IFileSystem.FsyncDirectory)] = fs => Results(fs.FsyncDirectory(55, dataOnly: false)),
            [nameof(IFileSystem.GetVolumeStatistics)] = fs => Results(fs.GetVolumeStatistics(3, out var statistics), statistics),
            [nameof(IFileSystem.Access)] = fs => Results(fs.Access(3, 4)),
            [nameof(IFileSystem.SetExtendedAttribute)] = fs => Results(fs.SetExtendedAttribute(Context, 3, "user.a"u8, "value"u8, 1)),
            [nameof(IFileSystem.GetExtendedAttribute)] = fs => Filled(() => (fs.GetExtendedAttribute(3, "user.a"u8, _buffer, out var length), length)),
            [nameof(IFileSystem.ListExtendedAttributes)] = fs => Filled(() => (fs.ListExtendedAttributes(3, _buffer, out var length), length)),
            [nameof(IFileSystem.RemoveExtendedAttribute)] = fs => Results(fs.RemoveExtendedAttribute(Context, 3, "user.a"u8)),
        };
    }

    public static TheoryData<string> Members
    {
        get
        {
            var members = new TheoryData<string>();
            foreach (var method in typeof(IFileSystem).GetMethods())
            {
                members.Add(method.Name);
            }

            return members;
        }
    }

    public void Dispose() => _cancellation.Dispose();

    [Theory]
    [MemberData(nameof(Members))]
    public async Task ADecoratorOverridingNothing_ForwardsTheMember_WithTheSameArgumentsAndResults(string member)
    {
        Assert.True(_calls.TryGetValue(member, out var call), $"no call here drives IFileSystem.{member}");
        var direct = new RecordingFileSystem();
        var expected = await call(direct);

        var inner = new RecordingFileSystem();
        var actual = await call(new Forwarding(inner));

        var forwarded = Assert.Single(inner.Calls);
        Assert.Equal(member, forwarded.Member);
        Assert.Equal(Assert.Single(direct.Calls).Arguments, forwarded.Arguments);
        Assert.Equal(expected, actual);
        Assert.NotEmpty(forwarded.Arguments);
    }

    [Fact]
    public void EveryMemberOfTheInterface_IsDrivenHere_AndNothingElse() =>
        Assert.Equal(typeof(IFileSystem).GetMethods().Select(m => m.Name).Order(), _calls.Keys.Order());

    [Fact]
    public void EveryMember_IsAPublicVirtualOfTheDecorator_SoALayerMayOverrideAnyOfThem()
    {
        var map = typeof(FileSystemDecorator).GetInterfaceMap(typeof(IFileSystem));
        Assert.Equal(typeof(IFileSystem).GetMethods().Length, map.TargetMethods.Length);
        Assert.All(map.TargetMethods, method =>
            Assert.True(method.IsPublic && method.IsVirtual && !method.IsFinal && method.DeclaringType == typeof(FileSystemDecorator), method.Name));
    }

    [Fact]
    public void TheRecordingFileSystem_AnswersWithResultsNoLayerMakesUp()
    {
        var recording = new RecordingFileSystem();
        Assert.Equal(RecordingFileSystem.Result, recording.Lookup(1, "x"u8, out var entry));
        Assert.Equal(77ul, entry.Node);
        Assert.Equal([1ul, "x"u8.ToArray()], Assert.Single(recording.Calls).Arguments);
    }

    private static ValueTask<object?[]> Results(params object?[] results) => new(results);

    // A call that writes into the caller's buffer: its result, the length it reports, and the bytes it wrote.
    private ValueTask<object?[]> Filled(Func<(Errno Error, int Length)> call)
    {
        Array.Clear(_buffer);
        var (error, length) = call();
        return Results(error, length, _buffer.ToArray());
    }

    private sealed class Forwarding(IFileSystem inner) : FileSystemDecorator(inner);
}
