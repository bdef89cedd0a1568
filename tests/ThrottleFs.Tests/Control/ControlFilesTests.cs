using System.Text.Json;
using ThrottleFs.FileSystem;
using ThrottleFs.Statistics;
using static ThrottleFs.Tests.Control.ControlledFiles;
using static ThrottleFs.Tests.FileSystem.InMemoryFileSystem;

namespace ThrottleFs.Tests.Control;

/// <summary>
/// The control files read and written through the filesystem: <c>stats</c>, <c>metrics</c> and <c>control</c> as
/// JSON, Prometheus text and the effective config; commands written to <c>control</c>, refusals in <c>errors</c>; and
/// who may write.
/// </summary>
public sealed class ControlFilesTests : IDisposable
{
    private readonly ControlledFiles _stack = new();

    public ControlFilesTests() => _stack.Backing.AddFile("a.img", new byte[8192]);

    public void Dispose() => _stack.Dispose();

    [Fact]
    public async Task Stats_IsJson_NamingAFileThatWasRead_WithItsCounts()
    {
        await ReadOnce("a.img", 4096);

        var statistics = StatisticsJson.Parse(await _stack.ReadAll($"{ControlName}/stats"));

        var file = Assert.Single(statistics.Files);
        Assert.Equal(("a.img", 0, "iops-total=100"), (file.Path, file.Opens, file.Limits));
        Assert.Equal((1L, 4096L, 0L), (file.Read.Ops, file.Read.Bytes, file.Read.Throttled));
        Assert.Equal("mount", statistics.Mount.Name);
    }

    [Fact]
    public async Task Metrics_IsPrometheusText_WithTheFilesCounters()
    {
        await ReadOnce("a.img", 4096);

        var families = PrometheusTextParser.Parse(await _stack.ReadAll($"{ControlName}/metrics"));

        var samples = families.SelectMany(family => family.Samples).Where(s => s.Labels.GetValueOrDefault("name") == "a.img").ToList();
        Assert.Equal(1, Sample(samples, "throttlefs_ops_total", "read"));
        Assert.Equal(4096, Sample(samples, "throttlefs_bytes_total", "read"));
        Assert.Equal(0, Sample(samples, "throttlefs_ops_total", "write"));
    }

    [Fact]
    public async Task Control_ReadsAsTheEffectiveConfig()
    {
        using var config = JsonDocument.Parse(await _stack.ReadAll($"{ControlName}/control"));

        Assert.Equal(100, config.RootElement.GetProperty("file-limits").GetProperty("iops-total").GetInt64());
        Assert.False(config.RootElement.GetProperty("files").EnumerateObject().Any());
    }

    [Fact]
    public async Task ACommandWrittenToControl_Applies_AndShowsInTheLimitsAttributeAndTheConfig()
    {
        var line = "file a.img iops-total=50\n";
        Assert.Equal(IoResult.Done(line.Length), await _stack.WriteControl(line));

        Assert.Equal(50, _stack.Policy.Limits.ForFile("a.img").Own.IopsTotal.Avg);
        Assert.Equal("file iops-total=50\nmount unlimited\n", _stack.GetAttribute("a.img", "user.throttlefs.limits"));
        using var config = JsonDocument.Parse(await _stack.ReadAll($"{ControlName}/control"));
        Assert.Equal(50, config.RootElement.GetProperty("files").GetProperty("a.img").GetProperty("iops-total").GetInt64());
        Assert.Equal("", await _stack.ReadAll($"{ControlName}/errors"));
    }

    [Fact]
    public async Task ABadLine_FailsTheWriteWithEinval_NamesTheReasonInErrors_AndKeepsTheOldLimits()
    {
        await _stack.WriteControl("file a.img iops-total=50\n");
        var before = _stack.Policy.Limits;

        Assert.Equal(IoResult.Failed(Errno.EINVAL), await _stack.WriteControl("file a.img iops-totl=5\n"));

        Assert.Same(before, _stack.Policy.Limits);
        var errors = await _stack.ReadAll($"{ControlName}/errors");
        Assert.Contains("uid 1000 pid 4242 (bash): refused control line 'file a.img iops-totl=5'", errors);
        Assert.Contains("did you mean 'iops-total'?", errors);
        Assert.Equal("file iops-total=50\nmount unlimited\n", _stack.GetAttribute("a.img", "user.throttlefs.limits"));
    }

    [Fact]
    public async Task OnlyTheOwnerAndRoot_MayOpenControl_ForWritingOrReading()
    {
        var control = _stack.Lookup($"{ControlName}/control");

        Assert.Equal(Errno.EACCES, _stack.Files.Open(Other, control, WriteOnly, out _));
        Assert.Equal(Errno.EACCES, _stack.Files.Open(Other, control, ReadWrite, out _));
        // The 0600 mode says so, and a Dokan volume does not check modes: the layer itself refuses.
        Assert.Equal(Errno.EACCES, _stack.Files.Open(Other, control, ReadOnly, out _));
        Assert.Equal(Errno.EACCES, _stack.Files.Open(Other, _stack.Lookup($"{ControlName}/stats"), ReadOnly, out _));
        Assert.Equal(Errno.Success, _stack.Files.Open(Owner, control, ReadOnly, out var read));
        Assert.Equal(Errno.Success, _stack.Files.Release(read.Handle));
        var line = "mount bps-total=1M\n";
        Assert.Equal(Errno.EACCES, _stack.Files.Open(Other, control, WriteOnly | Truncate, out _));
        Assert.Equal(IoResult.Done(line.Length), await _stack.WriteControl(line, Root));
        Assert.Equal(1L << 20, _stack.Policy.Limits.Mount.BpsTotal.Avg);
    }

    [Fact]
    public void WithControlReadersEveryone_OthersMayReadEveryControlFile_ButNotWriteControl()
    {
        using var open = new ControlledFiles(readers: global::ThrottleFs.Configuration.ControlReaders.Everyone);
        foreach (var name in new[] { "control", "errors", "stats", "metrics", "changes" })
        {
            Assert.Equal(Errno.Success, open.Files.Open(Other, open.Lookup($"{ControlName}/{name}"), ReadOnly, out var file));
            Assert.Equal(Errno.Success, open.Files.Release(file.Handle));
        }

        Assert.Equal(Errno.EACCES, open.Files.Open(Other, open.Lookup($"{ControlName}/control"), WriteOnly, out _));
    }

    [Theory]
    [InlineData("errors")]
    [InlineData("stats")]
    [InlineData("metrics")]
    public void TheReadOnlyControlFiles_CannotBeOpenedForWriting_EvenByTheOwner(string name)
    {
        var node = _stack.Lookup($"{ControlName}/{name}");

        Assert.Equal(Errno.EACCES, _stack.Files.Open(Owner, node, WriteOnly, out _));
        Assert.Equal(Errno.EACCES, _stack.Files.Open(Root, node, ReadWrite, out _));
    }

    [Fact]
    public async Task AReader_SeesTheContentAsItWasWhenItOpened()
    {
        var handle = _stack.Open($"{ControlName}/control");
        await _stack.WriteControl("file a.img iops-total=7\n");

        var buffer = new byte[1 << 16];
        var read = await _stack.Files.ReadAsync(handle, 0, buffer, default);
        using (var snapshot = JsonDocument.Parse(buffer.AsMemory(0, (int)read.Bytes)))
        {
            Assert.False(snapshot.RootElement.GetProperty("files").TryGetProperty("a.img", out _));
        }

        Assert.Equal(Errno.Success, _stack.Files.Release(handle));
        Assert.Equal(Errno.EBADF, _stack.Files.Release(handle));
        using var now = JsonDocument.Parse(await _stack.ReadAll($"{ControlName}/control"));
        Assert.Equal(7, now.RootElement.GetProperty("files").GetProperty("a.img").GetProperty("iops-total").GetInt64());
    }

    [Fact]
    public async Task AWriteThroughAControlHandleOpenedForReading_IsRefused()
    {
        var handle = _stack.Open($"{ControlName}/control", ReadOnly, Owner);

        Assert.Equal(IoResult.Failed(Errno.EBADF), await _stack.Files.WriteAsync(handle, 0, "mount bps-total=1M\n"u8.ToArray(), default));
        Assert.False(_stack.Policy.Limits.Mount.IsEnabled);
    }

    [Fact]
    public void EchoIntoControl_MayTruncateItToZero_ButNothingElseChangesItsAttributes()
    {
        var control = _stack.Lookup($"{ControlName}/control");
        AttributeChanges Change(AttributeFields fields, long size = 0) => new(fields, 0x1FF, 0, 0, size, 0, 0, 0, 0, null);

        Assert.Equal(Errno.Success, _stack.Files.SetAttributes(control, Change(AttributeFields.Size), out var attributes));
        Assert.Equal(FileModes.RegularFile | 0x180, attributes.Mode); // 0600: control-readers owner, the default
        Assert.Equal(Errno.EPERM, _stack.Files.SetAttributes(control, Change(AttributeFields.Size, size: 5), out _));
        Assert.Equal(Errno.EPERM, _stack.Files.SetAttributes(control, Change(AttributeFields.Mode), out _));
        Assert.Equal(Errno.EPERM, _stack.Files.SetAttributes(_stack.Lookup(ControlName), Change(AttributeFields.Size), out _));
    }

    [Fact]
    public async Task ControlHandles_RefuseWhatOnlyRealFilesDo()
    {
        var handle = _stack.Open($"{ControlName}/stats");
        var file = _stack.Open("a.img", ReadWrite);

        Assert.Equal(IoResult.Failed(Errno.EOPNOTSUPP), await _stack.Files.CopyFileRangeAsync(handle, 0, file, 0, 10, default));
        Assert.Equal(IoResult.Failed(Errno.EOPNOTSUPP), await _stack.Files.CopyFileRangeAsync(file, 0, handle, 0, 10, default));
        Assert.Equal(Errno.EOPNOTSUPP, _stack.Files.Allocate(handle, 0, 0, 10));
        Assert.Equal(Errno.EINVAL, _stack.Files.Seek(handle, 0, 3, out _));
        Assert.Equal((Errno.Success, Errno.Success), (_stack.Files.Flush(handle), _stack.Files.Fsync(handle, dataOnly: false)));
        Assert.Equal(Errno.EINVAL, _stack.Files.ReadLink(_stack.Lookup($"{ControlName}/stats"), new byte[8], out _));
        Assert.Equal(Errno.Success, _stack.Files.Release(handle));
        Assert.Equal(Errno.Success, _stack.Files.Release(file));
        Assert.Equal(0, _stack.Backing.OpenHandles);
    }

    private async Task ReadOnce(string path, int bytes)
    {
        var handle = _stack.Open(path);
        Assert.Equal(IoResult.Done(bytes), await _stack.Files.ReadAsync(handle, 0, new byte[bytes], default));
        Assert.Equal(Errno.Success, _stack.Files.Release(handle));
    }

    private static double Sample(List<PrometheusTextParser.Sample> samples, string name, string direction) =>
        samples.Single(s => s.Name == name && s.Labels["layer"] == "file" && s.Labels["direction"] == direction).Value;
}
