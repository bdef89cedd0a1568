namespace ThrottleFs.Platform.Linux.Tests.Mounts.Posix;

/// <summary>
/// A mirror must be indistinguishable from what it mirrors. Each test runs one sequence of libc calls twice: in a
/// directory reached through a real ThrottleFs mount, and in a sibling directory on the backing store itself. Every
/// call writes its outcome (return value or errno, stat fields, listing, bytes read) into a transcript, and the two
/// transcripts must match line for line; a mismatch names the call. The backing store is the reference, so the tests
/// hold on whatever filesystem /tmp is, and a mode the backing store refuses must be refused the same way.
/// </summary>
/// <remarks>
/// What the tests of every area share: the pair of directories each test gets on the one mount of
/// <see cref="PosixMountCollection"/>, the comparison of the two transcripts (<see cref="SameOnBoth"/>), and the
/// helpers the sequences build their data with.
/// </remarks>
public abstract class PosixComparisonTest : IDisposable
{
    protected const long KiB = 1024;
    protected const long MiB = 1024 * KiB;
    protected const long GiB = 1024 * MiB;

    // Static, so the pairs stay apart across all the classes that share the mount.
    private static int _pairs;

    private readonly MountedFileSystem _mount;

    protected PosixComparisonTest(PosixMountFixture fixture)
    {
        _mount = fixture.Mount;
        var pair = Interlocked.Increment(ref _pairs);
        ViaFuse = _mount.OnMount($"viafuse-{pair}");
        ViaFuseOnBacking = _mount.OnBacking($"viafuse-{pair}");
        Native = _mount.OnBacking($"native-{pair}");
        Directory.CreateDirectory(ViaFuse);
        Directory.CreateDirectory(Native);
    }

    /// <summary>This test's directory as reached through the mount.</summary>
    protected string ViaFuse { get; }

    /// <summary>The same directory on the backing store, bypassing the mount.</summary>
    protected string ViaFuseOnBacking { get; }

    /// <summary>The sibling directory on the backing store that the native run works in.</summary>
    protected string Native { get; }

    public void Dispose()
    {
        // Through the mount, so the kernel drops what it cached of the pair; the backing store if that fails.
        foreach (var (path, fallback) in new[] { (ViaFuse, ViaFuseOnBacking), (Native, Native) })
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                try
                {
                    Directory.Delete(fallback, recursive: true);
                }
                catch (Exception again) when (again is IOException or UnauthorizedAccessException)
                {
                    // the fixture deletes the whole temporary tree after unmounting
                }
            }
        }
    }

    protected static uint Octal(string digits) => Convert.ToUInt32(digits, 8);

    protected static bool IsZeros(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept((byte)0) < 0;

    // A slice clamped to the data, so a short read on one side shows up as a difference rather than an exception.
    protected static ReadOnlySpan<byte> Part(byte[] data, int start, int length = int.MaxValue)
    {
        start = Math.Min(start, data.Length);
        return data.AsSpan(start, (int)Math.Min(length, (long)data.Length - start));
    }

    protected static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    // Runs the sequence natively, then through the mount, and compares the transcripts step by step.
    private protected void SameOnBoth(Action<PosixSession> sequence)
    {
        var native = Run(sequence, Native, Native);
        var mounted = Run(sequence, ViaFuse, ViaFuseOnBacking);

        var differences = new List<string>();
        for (var i = 0; i < Math.Max(native.Steps.Count, mounted.Steps.Count); i++)
        {
            var n = i < native.Steps.Count ? native.Steps[i] : null;
            var m = i < mounted.Steps.Count ? mounted.Steps[i] : null;
            if (n == m)
            {
                continue;
            }

            var call = n?.Call == m?.Call ? n!.Call : $"{n?.Call ?? "(nothing)"} / {m?.Call ?? "(nothing)"}";
            differences.Add($"step {i + 1}, {call}: {Contrast(n?.Outcome ?? "(not reached)", m?.Outcome ?? "(not reached)")}");
        }

        Assert.True(
            differences.Count == 0,
            $"{differences.Count} of {native.Steps.Count} steps differ between the backing store and the mount:\n{string.Join('\n', differences)}");
        Assert.True(
            native.Surprises.Count == 0,
            $"the backing store itself did not do what the test expects (a test premise, not a mount bug):\n{string.Join('\n', native.Surprises)}");
    }

    // Long outcomes (listings) are cut to the neighbourhood of their first difference.
    private static string Contrast(string native, string mounted)
    {
        const int Context = 80;
        if (native.Length + mounted.Length <= 4 * Context)
        {
            return $"native {native}, mount {mounted}";
        }

        var at = native.AsSpan().CommonPrefixLength(mounted);
        var from = Math.Max(0, at - Context);
        string Cut(string s) => (from > 0 ? "…" : "") + s[from..Math.Min(s.Length, at + Context)] + (at + Context < s.Length ? "…" : "");
        return $"first difference at character {at}: native {Cut(native)}, mount {Cut(mounted)}";
    }

    private static PosixSession Run(Action<PosixSession> sequence, string root, string backingRoot)
    {
        var session = new PosixSession(root, backingRoot);
        try
        {
            sequence(session);
        }
        finally
        {
            session.CloseAll();
        }

        return session;
    }
}
