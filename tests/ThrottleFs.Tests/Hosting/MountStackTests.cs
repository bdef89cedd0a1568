using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ThrottleFs.Configuration;
using ThrottleFs.FileSystem;
using ThrottleFs.Hosting;
using ThrottleFs.Qos;
using ThrottleFs.Tests.Control;
using ThrottleFs.Tests.FileSystem;
using static ThrottleFs.Tests.FileSystem.InMemoryFileSystem;

namespace ThrottleFs.Tests.Hosting;

/// <summary>
/// <see cref="MountStack.Build"/> over an in-memory filesystem, as a host would serve it: the control directory on
/// top, throttles as the config file says (per-file limits, a group by rule, mount limits) on a virtual clock, config
/// edits applied live by the watcher, and everything stopped by <see cref="MountStack.Dispose"/>.
/// <para>
/// Bucket arithmetic (QEMU's leaky bucket): <c>iops-total=100</c> holds 10, so 11 requests pass at once and the 12th
/// waits 10 ms; the group's <c>iops-write=10</c> holds 1, so 2 writes pass and the third waits 100 ms; the mount's
/// <c>iops-total=1000</c> holds 100 and never makes these few requests wait.
/// </para>
/// </summary>
public sealed class MountStackTests : IDisposable
{
    private const string Config = """
        {
          "logging": { "level": "Fatal" },
          "file-limits": { "iops-total": 100 },
          "mount-limits": { "iops-total": 1000 },
          "groups": { "vms": { "iops-write": 10 } },
          "rules": [ { "match": "*.qcow2", "group": "vms" } ]
        }
        """;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly RequestContext Owner = new(1000, 1000, 4242);

    private readonly TempConfig _config = new(Config);
    private readonly VirtualClock _clock = new();
    private readonly InMemoryFileSystem _backing;
    private readonly MountStack _stack;

    public MountStackTests()
    {
        _backing = new InMemoryFileSystem(_clock, 1000, 1000);
        _backing.AddFile("a.img", new byte[1 << 16]);
        _backing.AddFile("images/vm.qcow2", new byte[1 << 16]);
        var source = new ConfigSource(_config.Path, []);
        var options = new MountOptions(source, source.Load()) { Source = "memory", MountPoint = "/mnt/test", Foreground = true };
        _stack = MountStack.Build(options, _backing, new MountOwner(1000, 1000), new FixedProcessNames("bash"), _clock);
    }

    private IFileSystem Files => _stack.FileSystem;

    public void Dispose()
    {
        _stack.Dispose();
        _config.Dispose();
    }

    [Fact]
    public async Task TheTopFileSystem_ServesTheControlDirectory_AndThrottlesByFileGroupAndMountLimits()
    {
        Assert.Equal(FileSystemIds.FirstLayerNode, Files.LookupPath(".throttlefs"));
        Assert.Equal(FileSystemIds.FirstLayerNode + 1, Files.LookupPath(".throttlefs/control"));

        var image = Files.OpenPath("a.img", ReadOnly, Owner);
        for (var i = 0; i < 11; i++)
        {
            Assert.True(Files.ReadAsync(image, 0, new byte[512], default).IsCompletedSuccessfully, $"read {i + 1} waited");
        }

        var twelfth = Files.ReadAsync(image, 0, new byte[512], default);
        var disk = Files.OpenPath("images/vm.qcow2", WriteOnly, Owner);
        Assert.True(Files.WriteAsync(disk, 0, new byte[512], default).IsCompletedSuccessfully);
        Assert.True(Files.WriteAsync(disk, 512, new byte[512], default).IsCompletedSuccessfully);
        var third = Files.WriteAsync(disk, 1024, new byte[512], default);
        Assert.False(twelfth.IsCompleted);
        Assert.False(third.IsCompleted);

        _clock.AdvanceTo(TimeSpan.FromMilliseconds(10));
        Assert.Equal(IoResult.Done(512), await twelfth.AsTask().WaitAsync(Deadline));
        Assert.False(third.IsCompleted); // the group holds it
        _clock.AdvanceTo(TimeSpan.FromMilliseconds(100));
        Assert.Equal(IoResult.Done(512), await third.AsTask().WaitAsync(Deadline));

        Assert.Equal("file iops-total=100\ngroup vms iops-write=10\nmount iops-total=1000\n", Attribute("images/vm.qcow2", "user.throttlefs.limits"));
        var statistics = _stack.Policy.GetStatistics();
        Assert.Equal((12L, 3L), (statistics.Mount.Read.Ops, statistics.Mount.Write.Ops));
        var group = Assert.Single(statistics.Groups);
        Assert.Equal(("vms", "iops-write=10", 3L, 0L), (group.Name, group.Limits, group.Write.Ops, group.Read.Ops));
        Assert.Equal(["images/vm.qcow2"], group.Members);
        Assert.Equal([(1L, "a.img"), (1L, "images/vm.qcow2")], statistics.Files.Select(f => (f.Read.Throttled + f.Write.Throttled, f.Path)));
    }

    [Fact]
    public async Task AnEditOfTheConfigFile_AppliesLive_AndABrokenEditKeepsTheOldLimits_AndIsRecordedInErrors()
    {
        var edited = Config.Replace("\"file-limits\": { \"iops-total\": 100 }", "\"file-limits\": { \"iops-total\": 50 }", StringComparison.Ordinal);
        Assert.NotEqual(Config, edited);
        File.WriteAllText(_config.Path + ".swp", edited);
        File.Move(_config.Path + ".swp", _config.Path, overwrite: true); // as editors save

        await Until(() => _stack.Policy.Limits.FileDefault.IopsTotal.Avg == 50, "the edit to apply");
        using (var control = JsonDocument.Parse(await ReadAll(".throttlefs/control")))
        {
            Assert.Equal(50, control.RootElement.GetProperty("file-limits").GetProperty("iops-total").GetInt64());
        }

        Assert.Equal("file iops-total=50\nmount iops-total=1000\n", Attribute("a.img", "user.throttlefs.limits"));
        var applied = _stack.Policy.Limits;

        File.WriteAllText(_config.Path, """{ "file-limits": { "iops-total": 5000, } """); // cut short
        var errors = "";
        await Until(async () => (errors = await ReadAll(".throttlefs/errors")).Contains("not valid JSON", StringComparison.Ordinal), "the broken edit to be refused");

        Assert.Contains($"config watcher: refused the edit of {_config.Path} (the previous limits stay in force)", errors);
        Assert.Same(applied, _stack.Policy.Limits);
    }

    [Fact]
    public async Task Dispose_StopsTheThrottles_SoNoRequestIsLeftWaiting()
    {
        var image = Files.OpenPath("a.img", ReadOnly, Owner);
        for (var i = 0; i < 11; i++)
        {
            Assert.True(Files.ReadAsync(image, 0, new byte[512], default).IsCompletedSuccessfully);
        }

        var waiting = Files.ReadAsync(image, 0, new byte[512], default);
        Assert.False(waiting.IsCompleted);

        _stack.Dispose();

        // It ends without the clock moving, failed: the mount is going away.
        var result = await waiting.AsTask().WaitAsync(Deadline);
        Assert.Equal(Errno.EIO, result.Error);
        Assert.Empty(_stack.Policy.GetStatistics().Files);
        Assert.Empty(_stack.Policy.GetStatistics().Groups);
        Assert.True(Files.ReadAsync(image, 0, new byte[512], default).IsCompleted, "a later read waits for a throttle that is gone");
    }

    private string Attribute(string path, string name)
    {
        var value = new byte[4096];
        Assert.Equal(Errno.Success, Files.GetExtendedAttribute(Files.LookupPath(path), Encoding.UTF8.GetBytes(name), value, out var length));
        return Encoding.UTF8.GetString(value, 0, length);
    }

    private async Task<string> ReadAll(string path)
    {
        var handle = Files.OpenPath(path, ReadOnly, Owner);
        var buffer = new byte[1 << 16];
        var read = await Files.ReadAsync(handle, 0, buffer, default);
        Assert.Equal(Errno.Success, Files.Release(handle));
        Assert.InRange(read.Bytes, 0, buffer.Length - 1);
        return Encoding.UTF8.GetString(buffer, 0, (int)read.Bytes);
    }

    private static Task Until(Func<bool> condition, string what) => Until(() => Task.FromResult(condition()), what);

    // The watcher runs on real time (it waits 300 ms for writes to settle): poll, with a deadline.
    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Deadline, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
