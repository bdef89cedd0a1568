using System.Text;
using System.Text.RegularExpressions;
using ThrottleFs.Control;
using ThrottleFs.FileSystem;
using ThrottleFs.Tests.Control;

namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// Bugs the control-file fuzzing found, each a skipped test with what goes wrong and where. The generators leave
/// these inputs out (<see cref="Hits"/>), so that the fuzz tests keep finding new problems instead of failing on
/// known ones; once a bug is fixed, its test runs and its input goes back in.
/// </summary>
public sealed partial class KnownControlBugs
{
    /// <summary>Whether a generated input would hit a bug recorded here.</summary>
    internal static bool Hits(byte[] input) =>
        ControlReference.Lines(input).Any(line => line.End - line.Start > OpenControlFiles.MaxLine) ||
        LongMinValueWithASuffix().IsMatch(PathText.Unescape(PathText.Decode(input)).Replace("\"", "", StringComparison.Ordinal));

    [Fact(Skip = "bug: Quantity.TryParse calls Math.Abs(long.MinValue) for a value with a K/M/G/T/P suffix, which throws OverflowException; " +
        "ThrottleSpec.ApplyTo, ControlCommand.Parse and ControlPanel.Execute catch only ThrottleConfigException/FormatException/ConfigException, " +
        "so it escapes ControlFileSystem.WriteAsync (a mount answers EIO, errors stays empty, the rest of the batch is skipped without a refusal)")]
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

    [Fact(Skip = "bug: the same OverflowException escapes ControlPanel.SetFileLimits (it catches ConfigException and ThrottleConfigException only): " +
        "setfattr -n user.throttlefs.limits -v iops-total=-9223372036854775808K FILE fails with EIO and nothing is recorded in errors")]
    public void LongMinValueWithASuffix_InTheLimitsAttribute_IsRefusedWithAReason()
    {
        using var stack = ControlReference.NewStack();

        Assert.Equal(Errno.EINVAL, stack.SetAttribute("a.img", "user.throttlefs.limits", "iops-total=-9223372036854775808K", ControlledFiles.Owner));
        ControlInvariants.AssertNamesAReason(ControlRun.Text(stack, ControlFile.Errors));
    }

    [Fact(Skip = "bug: OpenControlFiles.Write checks the 64 KiB line limit only when the bytes pending hold no newline, so a line over 64 KiB " +
        "that arrives with its newline in the same write (one write(2), or cat's 128 KiB writes) is run, while the same line written a byte " +
        "at a time is refused: the limits depend on how the writes cut the batch")]
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

    [Fact(Skip = "bug: one refusal's entry in errors is not bounded by the line it quotes: ThrottleSpec.Parse adds one reason per bad pair, so a " +
        "64 KiB line of 32,765 one-letter words ('mount x x x ...') adds a 1.7 MB entry; errors keeps 100 entries, so it can reach ~170 MB, " +
        "rendered whole into memory at every open of errors and written whole to the log")]
    public async Task ARefusedLine_AddsAnEntryNoLargerThanTheLineItQuotes()
    {
        using var stack = ControlReference.NewStack();
        var line = Encoding.ASCII.GetBytes("mount " + string.Concat(Enumerable.Repeat("x ", (OpenControlFiles.MaxLine - 7) / 2)) + "\n");

        var run = await ControlRun.Write(stack, line, WriteCuts.Whole);

        Assert.Equal([IoResult.Failed(Errno.EINVAL)], run.Writes);
        Assert.True(run.Errors.Length <= (4 * line.Length) + 4096, $"one refused line of {line.Length} bytes added {run.Errors.Length} bytes to errors");
    }

    [Fact(Skip = "bug: ControlCommand.Parse splits the words (and throws on an unclosed quote) before it looks for '#', so a comment with an odd " +
        "number of double quotes (# don't \"quote) is refused with EINVAL (\"a '\"' is not closed\"), though its doc says a # comment is ignored")]
    public async Task AComment_IsIgnored_WhateverQuotesItHas()
    {
        using var stack = ControlReference.NewStack();

        var run = await ControlRun.Write(stack, "# don't \"quote this\n"u8.ToArray(), WriteCuts.Whole);

        Assert.Equal([IoResult.Done(21)], run.Writes);
        Assert.Equal("", run.Errors);
    }

    [Fact(Skip = "bug: the reasons quote the words of a line after \\xHH is decoded and without PathText.Escape (e.g. \"unknown command '{word}'\"), " +
        "so \\x0a in a word puts a raw line break, or any control byte, into errors and the log: a line can forge an entry of errors that " +
        "looks like another user's refusal")]
    public async Task ARefusedLine_CannotPutALineBreakIntoErrors()
    {
        using var stack = ControlReference.NewStack();

        var run = await ControlRun.Write(stack, @"bogus\x0a2026-01-01\x2000:00:00\x20uid\x200\x20pid\x201\x20(init):\x20refused\x20control\x20line\x20'x'"u8.ToArray(), WriteCuts.Whole);

        Assert.Equal(Errno.EINVAL, run.Close);
        Assert.All(run.Errors.TrimEnd('\n').Split('\n'), line =>
            Assert.True(line.StartsWith("  ", StringComparison.Ordinal) || line.StartsWith("2026-01-01 00:00:00 uid 1000 pid 4242 (bash): refused ", StringComparison.Ordinal), line));
    }

    [GeneratedRegex("-0*9223372036854775808[KMGTPkmgtp]")]
    private static partial Regex LongMinValueWithASuffix();
}
