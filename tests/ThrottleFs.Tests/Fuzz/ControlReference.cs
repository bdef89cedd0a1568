using ThrottleFs.Control;
using ThrottleFs.FileSystem;
using ThrottleFs.Tests.Control;

namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// What a batch must do, found by writing its lines one at a time, each on a handle of its own, on a fresh stack: the
/// limits after every line up to the first refused one, and that refusal's entry in <c>errors</c>. Each line is
/// checked on the way: an applied line's write and close succeed and add no error; a refused line fails its write (or
/// its close, for a last line without its newline) with EINVAL, leaves the limits exactly as they were, and adds one
/// entry to <c>errors</c> that gives a reason. A line longer than 64 KiB is written so that its first write alone is
/// over the limit, which must refuse it.
/// </summary>
internal sealed class ControlReference
{
    private ControlReference(string initial, List<Step> steps) => (Initial, Steps) = (initial, steps);

    /// <summary>The limits before the batch.</summary>
    public string Initial { get; }

    /// <summary>The lines up to the first refused one.</summary>
    public IReadOnlyList<Step> Steps { get; }

    /// <summary>The first refused line, if any.</summary>
    public Step? Refused => Steps is [.., { Refused: true } last] ? last : null;

    /// <summary>The limits once the whole batch has been written: those after the last applied line.</summary>
    public string Final => Steps.LastOrDefault(step => !step.Refused)?.LimitsAfter ?? Initial;

    /// <summary>A fresh stack as the fuzz tests use it: a.img open, so the statistics have a file whose limits change.</summary>
    public static ControlledFiles NewStack()
    {
        var stack = new ControlledFiles();
        stack.Backing.AddFile("a.img", new byte[4096]);
        stack.Open("a.img");
        return stack;
    }

    public static async Task<ControlReference> Of(byte[] batch)
    {
        using var stack = NewStack();
        var initial = ControlRun.LimitsOf(stack);
        var steps = new List<Step>();
        var before = initial;
        foreach (var (start, end) in Lines(batch))
        {
            var line = batch[start..end];
            var terminated = line[^1] == (byte)'\n';
            var content = line.Length - (terminated ? 1 : 0);
            var cuts = content > OpenControlFiles.MaxLine ? WriteCuts.SplitAt(OpenControlFiles.MaxLine + 1) : WriteCuts.Whole;
            var run = await ControlRun.Write(stack, line, cuts);
            var refused = run.Writes.Any(write => write.Error != Errno.Success) || run.Close != Errno.Success;
            var step = new Step(start, end, terminated, refused, run.Limits, run.Errors);
            Check(step, run, before, cuts);
            steps.Add(step);
            if (refused)
            {
                break;
            }

            before = run.Limits;
        }

        return new ControlReference(initial, steps);
    }

    /// <summary>The lines of a batch as [start, end) offsets, each with its newline; the last may have none.</summary>
    public static IEnumerable<(int Start, int End)> Lines(byte[] batch)
    {
        var start = 0;
        for (var i = 0; i < batch.Length; i++)
        {
            if (batch[i] == (byte)'\n')
            {
                yield return (start, i + 1);
                start = i + 1;
            }
        }

        if (start < batch.Length)
        {
            yield return (start, batch.Length);
        }
    }

    private static void Check(Step step, ControlRun run, string before, WriteCuts cuts)
    {
        Assert.Equal(Errno.Success, run.Release);
        if (!step.Refused)
        {
            Assert.True(run.Writes.SequenceEqual(run.Sizes.Select(size => IoResult.Done(size))), $"an applied line's writes: {string.Join(", ", run.Writes)}");
            Assert.True(run.Errors.Length == 0, $"an applied line added to errors: {run.Errors}");
            return;
        }

        var expected = step.Terminated || cuts != WriteCuts.Whole
            ? (run.Sizes.Select(_ => IoResult.Failed(Errno.EINVAL)).ToList(), Errno.Success)
            : (run.Sizes.Select(size => IoResult.Done(size)).ToList(), Errno.EINVAL);
        Assert.True(
            run.Writes.SequenceEqual(expected.Item1) && run.Close == expected.Item2,
            $"a refused line's writes were {string.Join(", ", run.Writes)} and its close {run.Close}; expected {string.Join(", ", expected.Item1)} and {expected.Item2}");
        Assert.True(before == run.Limits, $"a refused line changed the limits:\nbefore {before}\nafter {run.Limits}");
        ControlInvariants.AssertNamesAReason(run.Errors);
    }

    /// <summary>One line of the batch: its offsets, whether it ends in a newline, whether it was refused, and after it the limits and errors.</summary>
    public sealed record Step(int Start, int End, bool Terminated, bool Refused, string LimitsAfter, string Errors);
}
