using System.Text;
using System.Text.Json;
using ThrottleFs.FileSystem;
using static ThrottleFs.Tests.Control.ControlledFiles;

namespace ThrottleFs.Tests.Control;

/// <summary>
/// <c>user.throttlefs.limits</c> and <c>user.throttlefs.stats</c> on regular files: read by anyone, limits set and
/// removed by the owner and root only, refused on directories, never stored in nor listed from the backing
/// filesystem; other attributes pass through.
/// </summary>
public sealed class ControlAttributesTests : IDisposable
{
    private const string Limits = "user.throttlefs.limits";
    private const string Stats = "user.throttlefs.stats";

    private readonly ControlledFiles _stack = new();

    public ControlAttributesTests()
    {
        _stack.Backing.AddFile("a.img", new byte[4096]);
        _stack.Backing.AddDirectory("dir");
    }

    public void Dispose() => _stack.Dispose();

    [Fact]
    public async Task TheLimitsAndStatsAttributes_DescribeARegularFile()
    {
        Assert.Equal("file iops-total=100\nmount unlimited\n", _stack.GetAttribute("a.img", Limits));
        Assert.Equal("{}", _stack.GetAttribute("a.img", Stats)); // no throttle state until it is opened

        var handle = _stack.Open("a.img");
        Assert.Equal(IoResult.Done(512), await _stack.Files.ReadAsync(handle, 0, new byte[512], default));

        using var statistics = JsonDocument.Parse(_stack.GetAttribute("a.img", Stats));
        var file = statistics.RootElement;
        var read = file.GetProperty("read");
        Assert.Equal(("a.img", 1, 1L, 512L), (file.GetProperty("path").GetString(), file.GetProperty("opens").GetInt32(), read.GetProperty("ops").GetInt64(), read.GetProperty("bytes").GetInt64()));
        Assert.Equal(Errno.Success, _stack.Files.Release(handle));
    }

    [Fact]
    public void AValue_IsProbedForItsSize_AndABufferTooSmallGetsErange()
    {
        var node = _stack.Lookup("a.img");
        Assert.Equal(Errno.Success, _stack.Files.GetExtendedAttribute(node, Encoding.UTF8.GetBytes(Limits), [], out var size));
        Assert.Equal("file iops-total=100\nmount unlimited\n".Length, size);

        Assert.Equal(Errno.ERANGE, _stack.Files.GetExtendedAttribute(node, Encoding.UTF8.GetBytes(Limits), new byte[size - 1], out _));
    }

    [Fact]
    public void TheOwnerAndRoot_SetAFilesLimits_OthersGetEacces()
    {
        Assert.Equal(Errno.Success, _stack.SetAttribute("a.img", Limits, "iops-total=50,iops-total-max=100", Owner));
        Assert.Equal("file iops-total=50,iops-total-max=100\nmount unlimited\n", _stack.GetAttribute("a.img", Limits));
        Assert.Equal(Errno.Success, _stack.SetAttribute("a.img", Limits, "iops-total=60", Root));
        Assert.Equal(60, _stack.Policy.Limits.ForFile("a.img").Own.IopsTotal.Avg);

        Assert.Equal(Errno.EACCES, _stack.SetAttribute("a.img", Limits, "iops-total=1000000", Other));
        Assert.Equal(Errno.EACCES, _stack.Files.RemoveExtendedAttribute(Other, _stack.Lookup("a.img"), Encoding.UTF8.GetBytes(Limits)));
        Assert.Equal(60, _stack.Policy.Limits.ForFile("a.img").Own.IopsTotal.Avg);
        Assert.Equal(Errno.ENODATA, _stack.Backing.GetExtendedAttribute(_stack.Backing.NodeIdOf("a.img"), Encoding.UTF8.GetBytes(Limits), [], out _));
    }

    [Fact]
    public async Task ABadValue_IsRefusedWithEinval_AndRecordedInErrors()
    {
        Assert.Equal(Errno.EINVAL, _stack.SetAttribute("a.img", Limits, "iops-total=fast", Owner));

        Assert.Equal("file iops-total=100\nmount unlimited\n", _stack.GetAttribute("a.img", Limits));
        Assert.Contains("uid 1000 pid 4242 (bash): refused user.throttlefs.limits 'iops-total=fast' on a.img", await _stack.ReadAll($"{ControlName}/errors"));
    }

    [Fact]
    public void RemovingTheLimitsAttribute_DropsTheLiveChange_AndTheStatsAttributeIsReadOnly()
    {
        var node = _stack.Lookup("a.img");
        Assert.Equal(Errno.Success, _stack.SetAttribute("a.img", Limits, "iops-total=5", Owner));

        Assert.Equal(Errno.Success, _stack.Files.RemoveExtendedAttribute(Owner, node, Encoding.UTF8.GetBytes(Limits)));

        Assert.Equal("file iops-total=100\nmount unlimited\n", _stack.GetAttribute("a.img", Limits));
        Assert.Equal(Errno.EPERM, _stack.SetAttribute("a.img", Stats, "{}", Owner));
        Assert.Equal(Errno.EPERM, _stack.Files.RemoveExtendedAttribute(Owner, node, Encoding.UTF8.GetBytes(Stats)));
    }

    [Fact]
    public void OnADirectory_TheAttributesAreAbsent_AndSettingThemIsEperm()
    {
        var dir = _stack.Lookup("dir");

        Assert.Equal(Errno.EPERM, _stack.SetAttribute("dir", Limits, "iops-total=5", Owner));
        Assert.Equal(Errno.EPERM, _stack.Files.RemoveExtendedAttribute(Owner, dir, Encoding.UTF8.GetBytes(Limits)));
        Assert.Equal(Errno.ENODATA, _stack.Files.GetExtendedAttribute(dir, Encoding.UTF8.GetBytes(Limits), [], out _));
        Assert.Equal(Errno.ENODATA, _stack.Files.GetExtendedAttribute(FileSystemIds.Root, Encoding.UTF8.GetBytes(Stats), [], out _));
        Assert.False(_stack.Policy.Limits.Entries.ContainsKey("dir"));
    }

    [Fact]
    public void TheThrottlefsAttributes_AreNotListed_OthersPassThrough()
    {
        var node = _stack.Lookup("a.img");
        Assert.Equal(Errno.Success, _stack.SetAttribute("a.img", "user.note", "hello", Other));
        Assert.Equal(Errno.Success, _stack.SetAttribute("a.img", Limits, "iops-total=5", Owner));

        Assert.Equal(Errno.Success, _stack.Files.ListExtendedAttributes(node, [], out var size));
        var list = new byte[size];
        Assert.Equal(Errno.Success, _stack.Files.ListExtendedAttributes(node, list, out _));

        Assert.Equal("user.note\0", Encoding.UTF8.GetString(list));
        Assert.Equal("hello", _stack.GetAttribute("a.img", "user.note"));
        Assert.Equal(Errno.Success, _stack.Files.RemoveExtendedAttribute(Other, node, "user.note"u8));
        Assert.Equal(Errno.ENODATA, _stack.Files.GetExtendedAttribute(node, "user.note"u8, [], out _));
    }
}
