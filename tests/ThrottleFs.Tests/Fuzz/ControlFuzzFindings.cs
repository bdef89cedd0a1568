using System.Text;
using ThrottleFs.Control;
using ThrottleFs.FileSystem;
using ThrottleFs.Tests.Control;

namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// What the control-file fuzzing found, fixed, each kept as a test of the fixed behaviour: a number that overflowed
/// when made absolute, the 64 KiB line limit seen only by some cuts, unbounded and unescaped reasons in errors, and a
/// comment that had to balance its quotes.
/// </summary>
public sealed class ControlFuzzFindings
{
    [Fact]
    public async Task LongMinValueWithASuffix_IsRefusedWithAReason_NotThrown()
    {
        using var stack = ControlReference.NewStack();
        var before = ControlRun.LimitsOf(stack);

        var run = await ControlRun.Write(stack, "mount iops-total=-9223372036854775808K\n"u8.ToArray(), WriteCuts.Whole);

        Assert.Equal([IoResult.Failed(Errno.EINVAL)], run.Writes);
        Assert.Equal(before, run.Limits);
        ControlInvariants.AssertNamesAReason(run.Errors);
        Assert.Contains("iops-total", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public void LongMinValueWithASuffix_InTheLimitsAttribute_IsRefusedWithAReason()
    {
        using var stack = ControlReference.NewStack();

        Assert.Equal(Errno.EINVAL, stack.SetAttribute("a.img", "user.throttlefs.limits", "iops-total=-9223372036854775808K", ControlledFiles.Owner));
        ControlInvariants.AssertNamesAReason(ControlRun.Text(stack, ControlFile.Errors));
    }

    [Fact]
    public async Task ALineOver64KiB_IsRefused_HoweverTheWritesCutIt()
    {
        var line = Encoding.ASCII.GetBytes("mount" + new string(' ', 70_000) + "iops-total=5\n");
        foreach (var cuts in new[] { WriteCuts.ByteAtATime, WriteCuts.Chunks(4096), WriteCuts.Chunks(128 * 1024), WriteCuts.Whole })
        {
            using var stack = ControlReference.NewStack();
            var before = ControlRun.LimitsOf(stack);

            var run = await ControlRun.Write(stack, line, cuts);

            Assert.True(run.Writes.Contains(IoResult.Failed(Errno.EINVAL)), $"{cuts}: {string.Join(", ", run.Writes.Distinct())}");
            Assert.True(before == run.Limits, $"{cuts}: the line over 64 KiB was applied");
            Assert.Contains("more than 65536 bytes", run.Errors, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ARefusedLine_AddsAnEntryNoLargerThanTheLineItQuotes()
    {
        using var stack = ControlReference.NewStack();
        var line = Encoding.ASCII.GetBytes("mount " + string.Concat(Enumerable.Repeat("x ", (OpenControlFiles.MaxLine - 7) / 2)) + "\n");

        var run = await ControlRun.Write(stack, line, WriteCuts.Whole);

        Assert.Equal([IoResult.Failed(Errno.EINVAL)], run.Writes);
        Assert.True(run.Errors.Length <= (4 * line.Length) + 4096, $"one refused line of {line.Length} bytes added {run.Errors.Length} bytes to errors");
    }

    [Fact]
    public async Task AComment_IsIgnored_WhateverQuotesItHas()
    {
        using var stack = ControlReference.NewStack();

        var comment = "# don't \"quote this\n"u8.ToArray();
        var run = await ControlRun.Write(stack, comment, WriteCuts.Whole);

        Assert.Equal([IoResult.Done(comment.Length)], run.Writes);
        Assert.Equal("", run.Errors);
    }

    [Fact]
    public async Task ARefusedLine_CannotPutALineBreakIntoErrors()
    {
        using var stack = ControlReference.NewStack();

        var run = await ControlRun.Write(stack, @"bogus\x0a2026-01-01\x2000:00:00\x20uid\x200\x20pid\x201\x20(init):\x20refused\x20control\x20line\x20'x'"u8.ToArray(), WriteCuts.Whole);

        Assert.Equal(Errno.EINVAL, run.Close);
        Assert.All(run.Errors.TrimEnd('\n').Split('\n'), line =>
            Assert.True(line.StartsWith("  ", StringComparison.Ordinal) || line.StartsWith("2026-01-01 00:00:00 uid 1000 pid 4242 (bash): refused ", StringComparison.Ordinal), line));
    }
}
