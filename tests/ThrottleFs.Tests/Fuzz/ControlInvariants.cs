using System.Text.Json;
using System.Text.RegularExpressions;
using ThrottleFs.Control;
using ThrottleFs.FileSystem;
using ThrottleFs.Statistics;
using ThrottleFs.Tests.Control;

namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// What must hold after a batch was written to <c>control</c>, however it was cut: the limits are those the
/// <see cref="ControlReference"/> ends with (after the last applied line); every write before the one that completed
/// the refused line (or took a line over 64 KiB) succeeded whole, that one and every later one failed with EINVAL (or,
/// for a refused last line without its newline, the close did); <c>errors</c> has exactly the reference's entry for the refused line and gives
/// a reason; and the control files still read as what they are.
/// </summary>
internal static partial class ControlInvariants
{
    public static void AssertMatches(ControlReference reference, ControlRun run, bool flushed)
    {
        Assert.True(reference.Final == run.Limits, $"the limits differ from those after the last applied line:\nexpected {reference.Final}\nactual   {run.Limits}");
        Assert.Equal(Errno.Success, run.Release);

        var failing = run.Writes.Count;
        var close = Errno.Success;
        if (reference.Refused is { } refused)
        {
            if (refused.End - refused.Start - (refused.Terminated ? 1 : 0) > OpenControlFiles.MaxLine)
            {
                // Over the limit: refused by the write that takes it over, not left to pile up until its newline.
                failing = FirstWriteReaching(run.Sizes, refused.Start + OpenControlFiles.MaxLine + 1);
            }
            else if (refused.Terminated)
            {
                failing = FirstWriteReaching(run.Sizes, refused.End);
            }
            else
            {
                close = flushed ? Errno.EINVAL : Errno.Success;
            }

            Assert.True(
                WithoutCount(refused.Errors) == WithoutCount(run.Errors),
                $"errors differ from the refused line's own entry:\nexpected {refused.Errors}\nactual   {run.Errors}");
        }
        else
        {
            Assert.True(run.Errors.Length == 0, $"nothing was refused, yet errors reads: {run.Errors}");
        }

        var expected = run.Sizes.Select((size, i) => i < failing ? IoResult.Done(size) : IoResult.Failed(Errno.EINVAL)).ToList();
        Assert.True(
            expected.SequenceEqual(run.Writes) && close == run.Close,
            $"writes {Show(run.Writes)} and close {run.Close}; expected {Show(expected)} and close {close}");
    }

    /// <summary>An errors file that records a refusal and gives at least one reason for it.</summary>
    public static void AssertNamesAReason(string errors)
    {
        Assert.True(errors.Contains(": refused ", StringComparison.Ordinal), $"errors records no refusal: {errors}");
        Assert.True(Reason().IsMatch(errors), $"errors gives no reason: {errors}");
    }

    /// <summary>control reads as JSON, stats as statistics JSON, metrics as strict Prometheus text.</summary>
    public static void AssertReadable(ControlledFiles stack)
    {
        using (JsonDocument.Parse(stack.Panel.Render(ControlFile.Control)))
        {
        }

        var statistics = StatisticsJson.Parse(stack.Panel.Render(ControlFile.Stats));
        Assert.Equal("mount", statistics.Mount.Name);
        PrometheusTextParser.Parse(ControlRun.Text(stack, ControlFile.Metrics));
    }

    // The index of the write that brought the byte at offset end - 1 (the refused line's newline).
    private static int FirstWriteReaching(IReadOnlyList<int> sizes, int end)
    {
        var written = 0;
        for (var i = 0; i < sizes.Count; i++)
        {
            written += sizes[i];
            if (written >= end)
            {
                return i;
            }
        }

        return sizes.Count;
    }

    // How many lines after the refused one were not applied depends on how the batch was cut; nothing else may.
    private static string WithoutCount(string errors) => NotApplied().Replace(errors, "");

    private static string Show(IEnumerable<IoResult> results) =>
        string.Join(", ", results.GroupBy(r => r).Select(g => g.Count() == 1 ? $"{g.Key.Error}/{g.Key.Bytes}" : $"{g.Count()}x {g.Key.Error}/{g.Key.Bytes}"));

    [GeneratedRegex(@"^  \d+ line\(s\) after it were not applied\n", RegexOptions.Multiline)]
    private static partial Regex NotApplied();

    [GeneratedRegex(@": refused .*\n  \S", RegexOptions.Singleline)]
    private static partial Regex Reason();
}
