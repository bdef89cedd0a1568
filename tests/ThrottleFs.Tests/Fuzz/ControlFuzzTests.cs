using System.Diagnostics;
using System.Text;
using ThrottleFs.Control;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;
using ThrottleFs.Tests.Control;
using Xunit.Abstractions;

namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// Hostile input to <c>.throttlefs/control</c>, through the filesystem layer over the in-memory stack: batches of
/// valid and hostile lines (<see cref="ValidControlLines"/>, <see cref="HostileControlLines"/>) with every kind of
/// line end, each written on fresh stacks cut every way <see cref="WriteCuts"/> has, and checked against writing its
/// lines one at a time (<see cref="ControlReference"/>, <see cref="ControlInvariants"/>). Seeded: a failure names the
/// seed (<see cref="FuzzSeed"/>) and the input, shrunk.
/// </summary>
public sealed class ControlFuzzTests(ITestOutputHelper output)
{
    // A CR alone ends no line: it is a blank inside one, which a hostile batch may have and a valid one may not.
    private static readonly string[] LineEnds = ["\n", "\n", "\n", "\r\n", "\r\n", "\n\r", "\r\r\n", " \n", "\t\n"];
    private static readonly string[] HostileLineEnds = [.. LineEnds, "\r", "\n\n"];

    [Fact]
    public async Task HostileBatches_NeverThrow_AndARefusedLineLeavesTheLimitsOfTheLastAppliedLine_HoweverTheWritesCutThem()
    {
        var random = FuzzSeed.For(nameof(HostileBatches_NeverThrow_AndARefusedLineLeavesTheLimitsOfTheLastAppliedLine_HoweverTheWritesCutThem));
        var (valid, hostile) = (new ValidControlLines(random), new HostileControlLines(random));
        var runs = await Fuzz(nameof(HostileBatches_NeverThrow_AndARefusedLineLeavesTheLimitsOfTheLastAppliedLine_HoweverTheWritesCutThem), random, 160, () =>
            Batch(random, random.Next(1, 10), () => random.Next(3) == 0 ? Encoding.UTF8.GetBytes(valid.Next()) : hostile.Next(), HostileLineEnds));
        Assert.True(runs > 5000, $"{FuzzSeed.Replay}: only {runs} runs");
    }

    [Fact]
    public async Task ValidBatches_AreAppliedWhole_WithTheSameLimitsHoweverTheWritesCutThem()
    {
        var random = FuzzSeed.For(nameof(ValidBatches_AreAppliedWhole_WithTheSameLimitsHoweverTheWritesCutThem));
        var runs = await Fuzz(nameof(ValidBatches_AreAppliedWhole_WithTheSameLimitsHoweverTheWritesCutThem), random, 120, () =>
        {
            var valid = new ValidControlLines(random);
            return Batch(random, random.Next(1, 30), () => Encoding.UTF8.GetBytes(valid.Next()), LineEnds);
        }, reference => Assert.True(reference.Refused is null, $"a valid line was refused: {reference.Refused?.Errors}"), wholeLines: true);
        Assert.True(runs > 5000, $"{FuzzSeed.Replay}: only {runs} runs");
    }

    [Fact]
    public async Task LinesOfUpTo64KiB_AreTakenWhole_AByteAtATime_AndInAnyPieces()
    {
        var random = FuzzSeed.For(nameof(LinesOfUpTo64KiB_AreTakenWhole_AByteAtATime_AndInAnyPieces));
        var valid = new ValidControlLines(random);
        const int Max = OpenControlFiles.MaxLine;
        (string Line, bool Applied)[] lines =
        [
            ("mount" + new string(' ', Max - 17) + "iops-total=5", true), // blanks between the words
            ("#" + new string('c', Max - 1), true), // a comment
            ("file " + new string('p', Max - 18) + " iops-total=5", false), // a path longer than Linux takes
            ("mount " + string.Concat(Enumerable.Repeat("x ", (Max - 6) / 2)), false), // 32,765 words that are not key=value
        ];
        for (var index = 0; index < lines.Length; index++)
        {
            var (line, applied) = lines[index];
            Assert.Equal(Max, line.Length);
            var batch = Encoding.UTF8.GetBytes($"{valid.Next()}\n{line}{(random.Next(2) == 0 ? "\n" : "")}");
            var cuts = new[] { WriteCuts.Whole, WriteCuts.ByteAtATime, WriteCuts.Chunks(4096), WriteCuts.Random(random.Next(), 9000) };
            await FuzzCase.Run(nameof(LinesOfUpTo64KiB_AreTakenWhole_AByteAtATime_AndInAnyPieces), index, batch, async input =>
            {
                var reference = await ControlReference.Of(input);
                Assert.True(reference.Refused is null == applied, $"the 64 KiB line was {(applied ? "refused" : "applied")}: {reference.Refused?.Errors}");
                foreach (var cut in cuts)
                {
                    await Check(reference, input, cut, flush: true);
                }
            });
        }
    }

    [Fact]
    public async Task EveryKeyUnderEveryName_WithGarbageValues_IsAppliedOrRefused_AndARefusalChangesNothing()
    {
        string[] garbage =
        [
            "", "-1", "-0", "1.5", "1e3", "0x10", "1K5", "K", "iB", "1iB", "9223372036854775807", "9223372036854775807K", "-9223372036854775807P",
            "18446744073709551616", "1000000000000001", "\u0661", "\\x00", "\\xff", "\"\"", "bogus", "LEAKY", "round_up", "=",
        ];
        var keys = ThrottleKeys.All.SelectMany(key => (string[])[key.Name, .. key.Aliases, "throttling." + key.Name.ToUpperInvariant()]).ToList();
        using var stack = ControlReference.NewStack();
        var cases = 0;
        foreach (var key in keys)
        {
            foreach (var value in garbage)
            {
                foreach (var scope in new[] { "file a.img", "group vms", "mount" })
                {
                    var line = Encoding.UTF8.GetBytes($"{scope} {key}={value}\n");
                    FuzzCase.Run(nameof(EveryKeyUnderEveryName_WithGarbageValues_IsAppliedOrRefused_AndARefusalChangesNothing), cases++, line, input =>
                    {
                        var (before, errors) = (ControlRun.LimitsOf(stack), ControlRun.Text(stack, ControlFile.Errors));
                        var run = ControlRun.Write(stack, input, WriteCuts.Whole).GetAwaiter().GetResult();
                        if (run.Writes.Single().Error != Errno.Success)
                        {
                            Assert.Equal(IoResult.Failed(Errno.EINVAL), run.Writes.Single());
                            Assert.True(before == run.Limits, $"refused, yet the limits changed:\nbefore {before}\nafter  {run.Limits}");
                            Assert.NotEqual(errors, run.Errors);
                            ControlInvariants.AssertNamesAReason(run.Errors);
                        }
                        else
                        {
                            Assert.True(errors == run.Errors, $"applied, yet errors changed: {run.Errors}");
                        }
                    });
                }
            }
        }

        ControlInvariants.AssertReadable(stack);
        output.WriteLine($"{FuzzSeed.Replay}: {cases} key and value cases");
    }

    [Fact]
    public async Task ErrorsKeepsTheLastHundredRefusals_AndEveryControlFileStaysReadable_OverHundredsOfHostileBatches()
    {
        var random = FuzzSeed.For(nameof(ErrorsKeepsTheLastHundredRefusals_AndEveryControlFileStaysReadable_OverHundredsOfHostileBatches));
        var (valid, hostile) = (new ValidControlLines(random), new HostileControlLines(random));
        using var stack = ControlReference.NewStack();
        var refusedBy = new List<uint>();
        for (var i = 0; i < 300; i++)
        {
            var batch = Batch(random, random.Next(1, 6), () => random.Next(2) == 0 ? Encoding.UTF8.GetBytes(valid.Next()) : hostile.Next(), HostileLineEnds);
            // Each batch from its own process, so errors shows which batches it still holds.
            var pid = 10_000u + (uint)i;
            var run = await ControlRun.Write(stack, batch, WriteCuts.Random(random.Next(), 512), caller: new(ControlledFiles.OwnerUid, ControlledFiles.OwnerGid, pid));
            if (run.Writes.Any(write => write.Error != Errno.Success) || run.Close != Errno.Success)
            {
                refusedBy.Add(pid);
            }
        }

        var errors = ControlRun.Text(stack, ControlFile.Errors);
        var kept = PidsIn(errors);
        Assert.True(refusedBy.Count > 100, $"{FuzzSeed.Replay}: only {refusedBy.Count} refusals");
        Assert.True(refusedBy.TakeLast(100).SequenceEqual(kept), $"{FuzzSeed.Replay}: errors keeps the refusals of {string.Join(", ", kept)}; expected the last 100 of {string.Join(", ", refusedBy)}");
        ControlInvariants.AssertReadable(stack);
        output.WriteLine($"{FuzzSeed.Replay}: {refusedBy.Count} refusals; errors keeps the last {kept.Count}, {errors.Length} characters");
    }

    private static List<uint> PidsIn(string errors) =>
        [.. System.Text.RegularExpressions.Regex.Matches(errors, @"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d uid 1000 pid (\d+) \(bash\): refused ", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(match => uint.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    // Generates batches and writes each on fresh stacks with every cut; returns how many runs were made. A failure is
    // shrunk with the one cut that failed.
    private async Task<int> Fuzz(string test, Random random, int batches, Func<byte[]> generate, Action<ControlReference>? checkReference = null, bool wholeLines = false)
    {
        var clock = Stopwatch.StartNew();
        var (runs, refused) = (0, 0);
        for (var index = 0; index < batches; index++)
        {
            var batch = generate();

            ControlReference reference;
            try
            {
                reference = await Referenced(batch);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw FuzzCase.Report(test, index, batch, e, Referenced, bytes: !wholeLines);
            }

            refused += reference.Refused is null ? 0 : 1;
            foreach (var (cuts, flush) in WriteCuts.For(batch, random).Select(cuts => (cuts, random.Next(4) > 0)).ToList())
            {
                try
                {
                    await Check(reference, batch, cuts, flush);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    throw FuzzCase.Report(test, index, batch, e, async input => await Check(await ControlReference.Of(input), input, cuts, flush), bytes: !wholeLines);
                }

                runs++;
            }
        }

        output.WriteLine($"{FuzzSeed.Replay}: {batches} batches ({refused} with a refused line), {runs} cut runs in {clock.Elapsed.TotalSeconds:F1} s");
        return runs;

        async Task<ControlReference> Referenced(byte[] input)
        {
            var reference = await ControlReference.Of(input);
            checkReference?.Invoke(reference);
            return reference;
        }
    }

    private static async Task Check(ControlReference reference, byte[] batch, WriteCuts cuts, bool flush)
    {
        using var stack = ControlReference.NewStack();
        try
        {
            var run = await ControlRun.Write(stack, batch, cuts, flush);
            ControlInvariants.AssertMatches(reference, run, flush);
            if (cuts == WriteCuts.Whole)
            {
                ControlInvariants.AssertReadable(stack);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"written as {cuts}{(flush ? "" : ", closed without a flush")}: {e.Message}", e);
        }
    }

    // Lines joined with any line end (CR and LF in every mix); the last line may have none.
    private static byte[] Batch(Random random, int count, Func<byte[]> line, string[] lineEnds)
    {
        var batch = new List<byte>();
        for (var i = 0; i < count; i++)
        {
            batch.AddRange(line());
            if (i < count - 1 || random.Next(3) > 0)
            {
                batch.AddRange(Encoding.ASCII.GetBytes(lineEnds[random.Next(lineEnds.Length)]));
            }
        }

        return [.. batch];
    }
}
