using System.Text;
using ThrottleFs.Configuration;
using ThrottleFs.Control;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;
using ThrottleFs.Tests.FileSystem;
using ThrottleFs.Throttling;

namespace ThrottleFs.Tests.Control;

/// <summary>
/// The stack a mount serves, assembled by hand: <see cref="ControlFileSystem"/> over <see cref="ThrottledFileSystem"/>
/// over an <see cref="InMemoryFileSystem"/>, on a virtual clock, owned by uid 1000 (gid 1000) with every file limited to
/// <c>iops-total=100</c>; with the calls the tests make by path, as a given user.
/// </summary>
internal sealed class ControlledFiles : IDisposable
{
    public const string ControlName = ".throttlefs";
    public const uint OwnerUid = 1000;
    public const uint OwnerGid = 1000;

    public static readonly RequestContext Owner = new(OwnerUid, OwnerGid, 4242);
    public static readonly RequestContext Root = new(0, 0, 1);
    public static readonly RequestContext Other = new(1001, 1001, 777);

    /// <param name="throttled">Whether the throttle layer sits between the control layer and the backing filesystem.</param>
    /// <param name="readers">Who may read the control directory (config <c>control-readers</c>).</param>
    public ControlledFiles(bool throttled = true, ControlReaders readers = ControlReaders.Owner)
    {
        Backing = new InMemoryFileSystem(Clock, OwnerUid, OwnerGid);
        Policy = new ThrottlePolicy(new ThrottleFsSettings { FileLimits = ThrottleSpec.Parse("iops-total=100"), ControlReaders = readers }, Clock);
        Panel = new ControlPanel(Policy, Serilog.Core.Logger.None, OwnerUid);
        var inner = throttled ? new ThrottledFileSystem(Backing, Policy, Panel.Tracer) : (IFileSystem)Backing;
        Files = new ControlFileSystem(inner, Panel, ControlName, OwnerGid, new FixedProcessNames("bash"));
    }

    public VirtualClock Clock { get; } = new();

    public InMemoryFileSystem Backing { get; }

    public ThrottlePolicy Policy { get; }

    public ControlPanel Panel { get; }

    public ControlFileSystem Files { get; }

    public void Dispose()
    {
        Panel.Tracer.Dispose();
        Policy.Dispose();
    }

    /// <summary>Looks <paramref name="path"/> up name by name from the root (<c>.throttlefs/stats</c> included).</summary>
    public ulong Lookup(string path) => Files.LookupPath(path);

    public NodeAttributes Attributes(string path)
    {
        Assert.Equal(Errno.Success, Files.GetAttributes(Lookup(path), null, out var attributes));
        return attributes;
    }

    public ulong Open(string path, int flags = InMemoryFileSystem.ReadOnly, RequestContext? context = null)
    {
        Assert.Equal(Errno.Success, Files.Open(context ?? Owner, Lookup(path), flags, out var file));
        return file.Handle;
    }

    /// <summary>Reads a file whole, in small reads at increasing offsets, as <c>cat</c> does.</summary>
    public async Task<string> ReadAll(string path)
    {
        var handle = Open(path);
        var content = new List<byte>();
        var buffer = new byte[100];
        for (IoResult read; (read = await Files.ReadAsync(handle, content.Count, buffer, default)).Bytes > 0;)
        {
            Assert.Equal(Errno.Success, read.Error);
            content.AddRange(buffer[..(int)read.Bytes]);
        }

        Assert.Equal(Errno.Success, Files.Release(handle));
        return Encoding.UTF8.GetString([.. content]);
    }

    /// <summary>Writes <paramref name="text"/> to <c>.throttlefs/control</c> in one write, as <c>echo LINE &gt; control</c> does.</summary>
    public async Task<IoResult> WriteControl(string text, RequestContext? context = null)
    {
        var handle = Open($"{ControlName}/control", InMemoryFileSystem.WriteOnly | InMemoryFileSystem.Truncate, context);
        var written = await Files.WriteAsync(handle, 0, Encoding.UTF8.GetBytes(text), default);
        Assert.Equal(Errno.Success, Files.Release(handle));
        return written;
    }

    /// <summary>An extended attribute's value, its size asked first as getfattr does.</summary>
    public string GetAttribute(string path, string name)
    {
        var node = Lookup(path);
        var key = Encoding.UTF8.GetBytes(name);
        Assert.Equal(Errno.Success, Files.GetExtendedAttribute(node, key, [], out var size));
        var value = new byte[size];
        Assert.Equal(Errno.Success, Files.GetExtendedAttribute(node, key, value, out var length));
        Assert.Equal(size, length);
        return Encoding.UTF8.GetString(value);
    }

    public Errno SetAttribute(string path, string name, string value, RequestContext context) =>
        Files.SetExtendedAttribute(context, Lookup(path), Encoding.UTF8.GetBytes(name), Encoding.UTF8.GetBytes(value), 0);

    /// <summary>The root listing, read in replies of <paramref name="capacity"/> entries as the kernel reads it.</summary>
    public List<ListedEntry> ListRoot(bool plus, int capacity = int.MaxValue)
    {
        Assert.Equal(Errno.Success, Files.OpenDirectory(FileSystemIds.Root, out var directory));
        var entries = DirectoryListing.ReadAll(Files, directory.Handle, plus, capacity);
        Assert.Equal(Errno.Success, Files.ReleaseDirectory(directory.Handle));
        return entries;
    }
}
