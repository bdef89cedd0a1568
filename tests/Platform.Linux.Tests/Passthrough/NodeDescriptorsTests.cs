using System.Text;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Passthrough;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Tests.Passthrough;

/// <summary>
/// The node table and its descriptor cache, without a mount, over a temporary directory, within a small budget: an
/// open-file limit of 256 gives a cache of 64 idle descriptors and a ceiling of 192 for opens. Nodes are registered
/// as the passthrough's lookups do (an O_PATH descriptor opened by name), and every count the cache keeps is checked
/// against the descriptors this process really has open.
/// </summary>
public sealed unsafe class NodeDescriptorsTests : IDisposable
{
    private const int Files = 200;
    private readonly string _directory = Directory.CreateTempSubdirectory("throttlefs-nodes-").FullName;
    private readonly DescriptorBudget _budget = new(limit: 256, inUse: 0);
    private readonly NodeDescriptors _descriptors;
    private readonly BackingMounts _mounts;
    private readonly NodeTable _table;

    public NodeDescriptorsTests()
    {
        for (var i = 0; i < Files; i++)
        {
            File.WriteAllText(Path.Combine(_directory, $"f{i:D3}"), $"file {i}");
        }

        _descriptors = new NodeDescriptors(_budget);
        _mounts = new BackingMounts(_budget);
        _table = new NodeTable(_descriptors, _mounts);
        var root = OpenPath(_directory);
        Assert.Equal(Errno.Success, NodeStat.Of(root, out StatxBuffer stx));
        _table.AddRoot(root, stx, isDirectory: true);
    }

    public void Dispose()
    {
        _descriptors.Dispose();
        _mounts.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void LookingUpMoreFilesThanTheCacheHolds_KeepsItsSize_AndNoDescriptorPerNode()
    {
        var nodes = LookUpAll();

        Assert.Equal(Files + 1, _table.Count);
        Assert.Equal(_budget.CacheCapacity, _descriptors.Idle);
        Assert.Equal(_budget.CacheCapacity + 1, _descriptors.Open); // the root is held for life
        Assert.All(nodes, node => Assert.NotNull(node.Handle));
        AssertCountsMatchTheProcess();
    }

    [Fact]
    public void ALeaseOfANodeWhoseDescriptorWasClosed_ReopensItFromTheHandle_AsTheSameInode()
    {
        var nodes = LookUpAll();
        var oldest = nodes[0]; // closed long ago: 199 lookups since, 64 kept

        Assert.Equal(-1, oldest.Slot);
        using (var lease = _descriptors.Lease(oldest, out var error))
        {
            Assert.Equal(Errno.Success, error);
            Assert.Equal(Errno.Success, NodeStat.Of(lease.Fd, out StatxBuffer stx));
            Assert.Equal(oldest.Inode, stx.Ino);
            Assert.Equal(_budget.CacheCapacity, _descriptors.Idle);
        }

        Assert.Equal(_budget.CacheCapacity, _descriptors.Idle); // in the cache now, the oldest other gone
        Assert.True(oldest.Slot >= 0);
        AssertCountsMatchTheProcess();
    }

    [Fact]
    public void AFileRenamedBehindOurBack_IsReachedFromItsHandle_UnderItsNewPath()
    {
        var nodes = LookUpAll();
        File.Move(Path.Combine(_directory, "f000"), Path.Combine(_directory, "renamed"));

        using var lease = _descriptors.Lease(nodes[0], out var error);
        Assert.Equal(Errno.Success, error);
        Assert.Equal(Path.Combine(_directory, "renamed"), new FileInfo($"/proc/self/fd/{lease.Fd}").LinkTarget);
    }

    [Fact]
    public void AFileDeletedWhileItsDescriptorIsClosed_IsGone_ENOENT()
    {
        var nodes = LookUpAll();
        File.Delete(Path.Combine(_directory, "f000"));

        using var lease = _descriptors.Lease(nodes[0], out var error);
        Assert.Equal(Errno.ENOENT, error);
        Assert.Equal(-1, lease.Fd);
        AssertCountsMatchTheProcess();
    }

    [Fact]
    public void APinnedDescriptor_OutlivesItsFileAndTheCache_UntilReleased()
    {
        var nodes = LookUpAll();
        var pin = _descriptors.Lease(nodes[^1], out var error); // as an open file holds it
        Assert.Equal(Errno.Success, error);
        File.Delete(Path.Combine(_directory, $"f{Files - 1:D3}"));
        LookUpAll(); // pushes every idle descriptor out of the cache

        using (var again = _descriptors.Lease(nodes[^1], out error))
        {
            Assert.Equal(Errno.Success, error);
            Assert.Equal(pin.Fd, again.Fd);
            Assert.Equal(Errno.Success, NodeStat.Of(again.Fd, out StatxBuffer stx));
            Assert.Equal(0u, stx.Nlink);
        }

        pin.Dispose();
        AssertCountsMatchTheProcess();
    }

    [Fact]
    public void ANodeForgottenWhileLent_HasItsDescriptorClosedByTheLastLease()
    {
        var nodes = LookUpAll();
        var node = nodes[^1];
        var lease = _descriptors.Lease(node, out _);
        var held = _budget.Held;

        _table.Forget(node.Id, 1);
        Assert.Null(_table.Find(node.Id));
        Assert.Equal(held, _budget.Held);
        Assert.Equal(Errno.Success, NodeStat.Of(lease.Fd, out StatxBuffer _)); // still usable
        lease.Dispose();

        Assert.Equal(held - 1, _budget.Held);
        using var late = _descriptors.Lease(node, out var error); // a request that found it before the forget
        Assert.Equal(Errno.Success, error);
        Assert.Equal(-1, node.Slot); // lent for its call only, not cached
        AssertCountsMatchTheProcess(extra: 1);
    }

    [Fact]
    public void MakeRoom_ClosesIdleDescriptorsForOpens_AndRefusesOnceOnlyPinnedOnesAreLeft()
    {
        var nodes = LookUpAll();
        var pins = new List<NodeDescriptor>();
        try
        {
            // Opens pin their nodes and take one more descriptor each, as long as there is room.
            var i = 0;
            while (_descriptors.MakeRoom(2))
            {
                pins.Add(_descriptors.Lease(nodes[i++], out _));
                _budget.Count(1); // the open file's own descriptor, counted only
            }

            Assert.Equal(0, _descriptors.Idle);
            Assert.InRange(_budget.Held, _budget.Ceiling - 1, _budget.Ceiling);

            // A stat still gets a descriptor, for its call: over the ceiling, it is not kept.
            using (var lease = _descriptors.Lease(nodes[^1], out var error))
            {
                Assert.Equal(Errno.Success, error);
            }

            Assert.InRange(_budget.Held, _budget.Ceiling - 1, _budget.Ceiling);
        }
        finally
        {
            pins.ForEach(pin => pin.Dispose());
            _budget.Count(-pins.Count);
        }

        AssertCountsMatchTheProcess();
    }

    private List<PassthroughNode> LookUpAll()
    {
        var nodes = new List<PassthroughNode>();
        var root = _table.Find(FileSystemIds.Root)!;
        using var directory = _descriptors.Lease(root, out _);
        for (var i = 0; i < Files; i++)
        {
            var name = Encoding.UTF8.GetBytes($"f{i:D3}\0");
            int fd;
            fixed (byte* n = name)
            {
                fd = OpenAt(directory.Fd, n, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
            }

            if (fd < 0)
            {
                continue; // deleted by the test
            }

            _budget.Count(1);
            Assert.Equal(Errno.Success, NodeStat.Of(fd, out StatxBuffer stx));
            nodes.Add(_table.Register(fd, stx)!);
        }

        return nodes;
    }

    // The cache's counts agree with each other and with the descriptors the process has open into the directory: the
    // root, the mount's descriptor, the cached ones and those lent (extra: lent for one call, not cached).
    private void AssertCountsMatchTheProcess(int extra = 0)
    {
        Assert.InRange(_descriptors.Idle, 0, _budget.CacheCapacity);
        Assert.Equal(_descriptors.Open + 1 + extra, _budget.Held);
        Assert.Equal(_budget.Held, DescriptorsInto(_directory));
    }

    private int OpenPath(string path)
    {
        var native = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = native)
        {
            var fd = Open(p, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
            Assert.True(fd >= 0);
            _budget.Count(1);
            return fd;
        }
    }

    private static int DescriptorsInto(string directory) =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count(fd => Target(fd)?.StartsWith(directory, StringComparison.Ordinal) == true);

    private static string? Target(FileSystemInfo fd)
    {
        try
        {
            return fd.LinkTarget;
        }
        catch (IOException)
        {
            return null; // closed meanwhile (the enumeration's own descriptor)
        }
    }
}
