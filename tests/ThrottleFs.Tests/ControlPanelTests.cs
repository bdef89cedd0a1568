using System.Text;
using System.Text.Json;
using ThrottleFs.Configuration;
using ThrottleFs.Control;
using ThrottleFs.Qos;
using ThrottleFs.Throttling;

namespace ThrottleFs.Tests;

public sealed class ControlPanelTests : IDisposable
{
    private readonly VirtualClock _clock = new();
    private readonly ThrottlePolicy _policy;
    private readonly ControlPanel _panel;

    public ControlPanelTests()
    {
        _policy = new ThrottlePolicy(
            new ThrottleFsSettings
            {
                FileLimits = ThrottleSpec.Parse("iops-total=100"),
                Rules = [new LimitRule(PathGlob.Parse("*.qcow2"), ThrottleSpec.Parse("bps-total=10M"), null)],
            },
            _clock);
        _panel = new ControlPanel(_policy, Serilog.Core.Logger.None, ownerUid: 1000);
    }

    public void Dispose() => _policy.Dispose();

    [Fact]
    public void Lines_AreAppliedInOrder_AndTheFirstRefusedLineStopsTheRest()
    {
        var accepted = _panel.Execute("group vms iops-total=500\n# comment\n\nassign a.qcow2 vms\n", "uid 0 pid 1 (sh)");
        Assert.True(accepted);

        var refused = _panel.Execute("file a.qcow2 iops-total=7\nfile a.qcow2 bps-totl=1M\nmount bps-total=1M\n", "uid 0 pid 2 (sh)");
        Assert.False(refused);

        var (own, group) = _policy.Limits.ForFile("a.qcow2");
        Assert.Equal((7, 10L << 20, "vms"), (own.IopsTotal.Avg, own.BpsTotal.Avg, group)); // line 1 applied
        Assert.False(_policy.Limits.Mount.IsEnabled); // line 3 never ran

        var errors = Encoding.UTF8.GetString(_panel.Render(ControlFile.Errors));
        Assert.Contains("uid 0 pid 2 (sh): refused control line 'file a.qcow2 bps-totl=1M'", errors);
        Assert.Contains("did you mean 'bps-total'?", errors);
        Assert.Contains("1 line(s) after it were not applied", errors);
    }

    [Fact]
    public void OnlyTheOwnerAndRoot_MayChangeLimits()
    {
        Assert.True(_panel.MayChange(0));
        Assert.True(_panel.MayChange(1000));
        Assert.False(_panel.MayChange(1001));
    }

    [Fact]
    public void ReadingControl_GivesTheEffectiveConfig_WhichLoadsBackToTheSameLimits()
    {
        _panel.Execute("group vms iops-total=500,iops-total-max=5000\nassign disk.qcow2 vms\nfile disk.qcow2 iops-total=50\nmount bps-total=1G\nunassign other.qcow2", "test");
        var json = Encoding.UTF8.GetString(_panel.Render(ControlFile.Control));
        using (var document = JsonDocument.Parse(json))
        {
            Assert.Equal(5000, document.RootElement.GetProperty("groups").GetProperty("vms").GetProperty("iops-total-max").GetInt64());
            Assert.Equal("1G", document.RootElement.GetProperty("mount-limits").GetProperty("bps-total").GetString());
            Assert.Equal("vms", document.RootElement.GetProperty("files").GetProperty("disk.qcow2").GetProperty("group").GetString());
        }

        using var saved = new TempConfig(json);
        var reloaded = EffectiveLimits.Resolve(new ConfigSource(saved.Path, []).Load(), RuntimeOverrides.None);
        var live = _policy.Limits;
        foreach (var path in new[] { "disk.qcow2", "other.qcow2", "plain.img", "sub/x.qcow2" })
        {
            Assert.Equal(live.ForFile(path), reloaded.ForFile(path));
        }

        Assert.Equal(live.Mount, reloaded.Mount);
        Assert.Equal(live.Groups["vms"], reloaded.Groups["vms"]);
    }

    [Fact]
    public void TheChainAttribute_ShowsEveryLayer()
    {
        _panel.Execute("group vms iops-total=500\nassign a.qcow2 vms\nmount bps-total=1G", "test");
        Assert.Equal("file bps-total=10M,iops-total=100\ngroup vms iops-total=500\nmount bps-total=1G\n", _panel.DescribeChain("a.qcow2"));
        Assert.Equal("file iops-total=100\nmount bps-total=1G\n", _panel.DescribeChain("b.img"));
    }

    [Fact]
    public void SettingLimitsByAttribute_IsAFileCommand_AndABadValueIsRecorded()
    {
        Assert.True(_panel.SetFileLimits("x.img", "iops-total=5", "uid 1000 pid 3 (setfattr)"));
        Assert.Equal(5, _policy.Limits.ForFile("x.img").Own.IopsTotal.Avg);
        Assert.False(_panel.SetFileLimits("x.img", "iops=fast", "uid 1000 pid 4 (setfattr)"));
        Assert.Equal(5, _policy.Limits.ForFile("x.img").Own.IopsTotal.Avg);
        Assert.Contains("refused user.throttlefs.limits 'iops=fast' on x.img", Encoding.UTF8.GetString(_panel.Render(ControlFile.Errors)));
        _panel.ClearFile("x.img", "test");
        Assert.Equal(100, _policy.Limits.ForFile("x.img").Own.IopsTotal.Avg);
    }

    [Fact]
    public void AnInvalidConfigEdit_IsRecorded_AndTheOldLimitsStay()
    {
        using var config = new TempConfig("""{ "file-limits": { "iops-total": 100 } }""");
        var source = new ConfigSource(config.Path, []);
        Assert.True(_panel.Reload(source));
        var before = _policy.Limits;

        File.WriteAllText(config.Path, """{ "file-limits": { "iops-total": 100, "iops-total-max": 50 } }""");
        Assert.False(_panel.Reload(source));

        Assert.Same(before, _policy.Limits);
        var errors = Encoding.UTF8.GetString(_panel.Render(ControlFile.Errors));
        Assert.Contains($"refused the edit of {config.Path} (the previous limits stay in force)", errors);
        Assert.Contains("iops-total-max", errors);
    }
}
