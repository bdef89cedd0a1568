using ThrottleFs.Configuration;

namespace ThrottleFs.Tests;

public sealed class ControlCommandTests
{
    [Theory]
    [InlineData("file images/vm1.qcow2 iops-total=100", "file images/vm1.qcow2 iops-total=100")]
    [InlineData("file /images//./vm1.qcow2 iops-total=100,bps-read=10M", "file images/vm1.qcow2 iops-total=100,bps-read=10M")]
    [InlineData("file \"my disk.img\" total_iops_sec=5 total_iops_sec_max=50", "file \"my disk.img\" iops-total=5,iops-total-max=50")]
    [InlineData("group vms iops-total=500", "group vms iops-total=500")]
    [InlineData("mount bps-total=200M", "mount bps-total=200M")]
    [InlineData("assign vm1.img vms", "assign vm1.img vms")]
    [InlineData("unassign vm1.img", "unassign vm1.img")]
    [InlineData("clear file vm1.img", "clear file vm1.img")]
    [InlineData("clear group vms", "clear group vms")]
    [InlineData("  clear   mount  ", "clear mount")]
    public void Parses_AndPrintsBackCanonically(string line, string canonical) =>
        Assert.Equal(canonical, ControlCommand.Parse(line)!.ToString());

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("# a comment")]
    public void BlankLinesAndComments_AreNotCommands(string line) => Assert.Null(ControlCommand.Parse(line));

    [Theory]
    [InlineData("frobnicate x", "unknown command 'frobnicate'")]
    [InlineData("file vm1.img", "'file' takes a PATH and a SPEC")]
    [InlineData("assign vm1.img", "'assign' takes a PATH and a GROUP")]
    [InlineData("clear", "'clear' takes file PATH, group NAME or mount")]
    [InlineData("file vm1.img iops-totl=5", "did you mean 'iops-total'?")]
    [InlineData("file vm1.img iops-total=fast", "iops-total")]
    [InlineData("file ../etc/passwd iops-total=5", "'..' is not allowed")]
    [InlineData("file / iops-total=5", "names no file")]
    [InlineData("group \"v m s\" iops-total=5", "not a valid group name")]
    [InlineData("file \"vm1.img iops-total=5", "not closed")]
    public void BadLines_AreRefusedWithTheReason(string line, string reason)
    {
        var refused = Assert.Throws<ConfigException>(() => ControlCommand.Parse(line));
        Assert.Contains(reason, string.Join("\n", refused.Errors));
    }

    [Fact]
    public void RepeatedChanges_ToOneFile_Accumulate_LaterKeysWin()
    {
        var overrides = RuntimeOverrides.None;
        foreach (var line in new[] { "file a.img iops-total=100,bps-total=1M", "file a.img iops-total=50", "assign a.img vms" })
        {
            overrides = ControlCommand.Parse(line)!.ApplyTo(overrides);
        }

        var entry = overrides.Files["a.img"];
        Assert.Equal("iops-total=50,bps-total=1M", entry.Limits.ToString());
        Assert.Equal("vms", entry.Group);
        Assert.Empty(ControlCommand.Parse("clear file a.img")!.ApplyTo(overrides).Files);
    }
}
