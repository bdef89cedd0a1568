using System.Text;
using ThrottleFs.Configuration;
using ThrottleFs.FileSystem;
using ThrottleFs.Qos;
using ThrottleFs.Statistics;
using ThrottleFs.Tests.FileSystem;
using ThrottleFs.Throttling;

namespace ThrottleFs.Tests.Throttling;

/// <summary>
/// A <see cref="ThrottledFileSystem"/> over an <see cref="InMemoryFileSystem"/>, on a virtual clock, with the calls
/// the tests make by path. Time stands still until a test advances it, so every wait is exact.
/// </summary>
internal sealed class ThrottledFiles : IDisposable
{
    /// <summary>How long a test waits for a request that must complete; only reached when something is broken.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static readonly RequestContext User = new(1000, 1000, 4242);

    /// <param name="fileLimits">Every file's own limits (<c>file-limits</c>).</param>
    public ThrottledFiles(string fileLimits)
    {
        Backing = new InMemoryFileSystem(Clock);
        Policy = new ThrottlePolicy(new ThrottleFsSettings { FileLimits = ThrottleSpec.Parse(fileLimits) }, Clock);
        Files = new ThrottledFileSystem(Backing, Policy);
    }

    public VirtualClock Clock { get; } = new();

    public InMemoryFileSystem Backing { get; }

    public ThrottlePolicy Policy { get; }

    public ThrottledFileSystem Files { get; }

    public void Dispose() => Policy.Dispose();

    /// <summary>Applies a control line, as <c>.throttlefs/control</c> would.</summary>
    public void Apply(string line) => Policy.Apply(ControlCommand.Parse(line)!, "test");

    /// <summary>Looks <paramref name="path"/> up name by name from the root.</summary>
    public ulong Lookup(string path) => Files.LookupPath(path);

    public ulong Open(string path, int flags = InMemoryFileSystem.ReadOnly)
    {
        Assert.Equal(Errno.Success, Files.Open(User, Lookup(path), flags, out var file));
        return file.Handle;
    }

    public void Release(ulong handle) => Assert.Equal(Errno.Success, Files.Release(handle));

    public ValueTask<IoResult> Read(ulong handle, byte[] buffer, long offset = 0, CancellationToken cancellationToken = default) =>
        Files.ReadAsync(handle, offset, buffer, cancellationToken);

    public ValueTask<IoResult> Write(ulong handle, long offset, string text) => Files.WriteAsync(handle, offset, Encoding.UTF8.GetBytes(text), default);

    /// <summary>Issues <paramref name="count"/> reads of <paramref name="size"/> bytes that must all be admitted at once.</summary>
    public void ReadAtOnce(ulong handle, int count, int size = 4096)
    {
        for (var i = 0; i < count; i++)
        {
            var read = Read(handle, new byte[size], (long)i * size);
            Assert.True(read.IsCompletedSuccessfully, $"read {i + 1} of {count} waited");
            Assert.Equal(IoResult.Done(size), read.Result);
        }
    }

    /// <summary>The file's statistics; it must have throttle state.</summary>
    public FileStatistics Statistics(string path) => Policy.GetStatistics(path) ?? throw new Xunit.Sdk.XunitException($"{path} has no throttle state");

    /// <summary>The result of a request that must have completed at once, without waiting.</summary>
    public static IoResult AtOnce(ValueTask<IoResult> request)
    {
        Assert.True(request.IsCompletedSuccessfully, "the request waited");
        return request.Result;
    }

    /// <summary>
    /// The result of a request that has been admitted: its continuation runs on the thread pool
    /// (<see cref="ThrottleGroup"/> completes waiters asynchronously), so it is awaited, with a deadline.
    /// </summary>
    public static async Task<IoResult> Completed(ValueTask<IoResult> request) => await request.AsTask().WaitAsync(Patience);

    /// <summary>Bytes 0, 1, 2, ... 255, 0, 1, ... so that any range read shows where it came from.</summary>
    public static byte[] Pattern(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)i)];
}
