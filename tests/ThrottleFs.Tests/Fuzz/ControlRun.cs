using ThrottleFs.Control;
using ThrottleFs.FileSystem;
using ThrottleFs.Tests.Control;
using static ThrottleFs.Tests.FileSystem.InMemoryFileSystem;

namespace ThrottleFs.Tests.Fuzz;

/// <summary>
/// One batch written to <c>.throttlefs/control</c> through the filesystem layer, on one handle, cut into writes as
/// <see cref="WriteCuts"/> says, then closed (FLUSH then RELEASE, as close(2) does; or RELEASE alone): the result of
/// every call, the limits in force afterwards (the effective config JSON, as reading <c>control</c> shows it) and the
/// errors file. Every write is made, also after one failed, to see that nothing after a refusal is applied. A call
/// that throws is reported with which call it was: nothing may throw out of the filesystem layer.
/// </summary>
internal sealed record ControlRun(IReadOnlyList<IoResult> Writes, IReadOnlyList<int> Sizes, Errno Close, Errno Release, string Limits, string Errors)
{
    public static async Task<ControlRun> Write(ControlledFiles stack, byte[] batch, WriteCuts cuts, bool flush = true, RequestContext? caller = null)
    {
        var handle = stack.Open($"{ControlledFiles.ControlName}/control", WriteOnly | Truncate, caller);
        var sizes = cuts.Plan(batch.Length);
        var writes = new List<IoResult>(sizes.Count);
        var offset = 0;
        foreach (var size in sizes)
        {
            try
            {
                writes.Add(await stack.Files.WriteAsync(handle, offset, batch.AsMemory(offset, size), default));
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"write {writes.Count + 1} of {sizes.Count} ({size} bytes at {offset}, {cuts}) threw {e.GetType().Name}: {e.Message}", e);
            }

            offset += size;
        }

        var close = flush ? Call(() => stack.Files.Flush(handle), "FLUSH") : Errno.Success;
        var release = Call(() => stack.Files.Release(handle), "RELEASE");
        return new ControlRun(writes, sizes, close, release, LimitsOf(stack), Text(stack, ControlFile.Errors));
    }

    /// <summary>The limits in force, as reading <c>control</c> shows them.</summary>
    public static string LimitsOf(ControlledFiles stack) => Text(stack, ControlFile.Control);

    public static string Text(ControlledFiles stack, ControlFile file) => System.Text.Encoding.UTF8.GetString(stack.Panel.Render(file));

    private static Errno Call(Func<Errno> call, string what)
    {
        try
        {
            return call();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{what} threw {e.GetType().Name}: {e.Message}", e);
        }
    }
}
