using ThrottleFs.Configuration;
using ThrottleFs.Control;
using ThrottleFs.Qos;
using ThrottleFs.Throttling;

namespace ThrottleFs.Tests.Control;

/// <summary>What an accepted change says it left in force, and the bursts it kept running.</summary>
public sealed class ChangeOutcomeTests : IDisposable
{
    private readonly VirtualClock _clock = new();
    private readonly ThrottlePolicy _policy;
    private readonly ControlPanel _panel;

    public ChangeOutcomeTests()
    {
        using var config = new TempConfig("""
            { "file-limits": { "iops-total": 2000, "iops-total-max": 6000, "iops-total-max-length": 30 },
              "groups": { "vms": { "bps-total": "100M", "bps-total-max": "200M" } },
              "rules": [ { "match": "images/**", "group": "vms" } ] }
            """);
        _policy = new ThrottlePolicy(new ConfigSource(config.Path, []).Load(), _clock);
        _panel = new ControlPanel(_policy, Serilog.Core.Logger.None, ownerUid: 0);
    }

    public void Dispose() => _policy.Dispose();

    [Fact]
    public void LoweringARateUnderAKeptBurst_SaysTheBurstRunsOn_AndHowToDropIt()
    {
        var outcome = _policy.Apply(ControlCommand.Parse("file images/f1.img iops-total=100")!, "test");

        Assert.Equal(
            "file images/f1.img iops-total=100,iops-total-max=6000,iops-total-max-length=30 → group vms bps-total=100M,bps-total-max=200M → mount unlimited",
            outcome.Now);
        Assert.Equal(
            ["iops-total-max=6000 was kept: the burst can run at 6,000 IOPS for up to 31 s before iops-total=100 holds; add iops-total-max=0,iops-total-max-length=1 to drop it"],
            outcome.Notes);
    }

    [Theory]
    [InlineData("file a.img iops-total=100,iops-total-max=0,iops-total-max-length=1")] // dropped with it
    [InlineData("file a.img iops-total=5900")] // 6000 × 30 s over 100 a second is long, but the rate barely moves...
    [InlineData("file a.img bps-read=1M")] // the change did not touch the burst's bucket
    [InlineData("group vms bps-total=50M")] // 200M of credit at 200M/s, leaking 50M/s: over in 1.3 s
    [InlineData("assign a.img vms")]
    public void AChangeThatKeepsNoLongBurstAtAnOldRate_HasNoNote(string line)
    {
        var outcome = _policy.Apply(ControlCommand.Parse(line)!, "test");

        if (line.Contains("5900"))
        {
            Assert.Single(outcome.Notes); // ...still: 6000 for 1,800 s of credit is a burst worth a note
            return;
        }

        Assert.Empty(outcome.Notes);
    }

    [Fact]
    public void AGroupOrMountChange_ShowsThatLayer()
    {
        Assert.Equal("group vms bps-total=50M,bps-total-max=200M", _policy.Apply(ControlCommand.Parse("group vms bps-total=50M")!, "test").Now);
        Assert.Equal("mount iops-total=10", _policy.Apply(ControlCommand.Parse("mount iops-total=10")!, "test").Now);
    }

    [Fact]
    public void TheChangesFile_HasEachAcceptedLine_WhoMadeIt_AndWhatItLeft()
    {
        _panel.Execute("file images/f1.img iops-total=100\nmount iops-total=10\n", "uid 0 pid 7 (sh)");

        var changes = System.Text.Encoding.UTF8.GetString(_panel.Render(ControlFile.Changes));

        Assert.Equal(
            "2026-01-01 00:00:00 uid 0 pid 7 (sh): file images/f1.img iops-total=100\n" +
            "  now: file images/f1.img iops-total=100,iops-total-max=6000,iops-total-max-length=30 → group vms bps-total=100M,bps-total-max=200M → mount unlimited\n" +
            "  note: iops-total-max=6000 was kept: the burst can run at 6,000 IOPS for up to 31 s before iops-total=100 holds; add iops-total-max=0,iops-total-max-length=1 to drop it\n" +
            "2026-01-01 00:00:00 uid 0 pid 7 (sh): mount iops-total=10\n" +
            "  now: mount iops-total=10\n",
            changes.Replace(_clock.GetLocalNow().ToString("yyyy-MM-dd HH:mm:ss"), "2026-01-01 00:00:00"));
    }
}
