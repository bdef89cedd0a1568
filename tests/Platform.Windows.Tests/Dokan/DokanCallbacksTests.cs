using Serilog;
using Serilog.Core;
using Serilog.Events;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Windows.Dokan;
using ThrottleFs.Platform.Windows.Passthrough;
using ThrottleFs.Qos;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Tests.Dokan;

/// <summary>
/// The entries dokan2 calls: an exception thrown below a callback would cross dokan2's native frames and end the
/// process, so each one becomes STATUS_INTERNAL_ERROR for that request alone, logged with the operation and path.
/// </summary>
public sealed unsafe class DokanCallbacksTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("throttlefs-callbacks-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void AnExceptionBelowACallback_BecomesInternalError_AndIsLogged()
    {
        File.WriteAllText(Path.Combine(_folder, "a.img"), "x");
        var clock = new VirtualClock();
        var dokan = new RecordingDokanLibrary(clock);
        var events = new List<LogEvent>();
        var log = new LoggerConfiguration().WriteTo.Sink(new Collect(events)).CreateLogger();
        using var backing = new PortablePassthroughFileSystem(_folder);
        var dispatcher = new DokanDispatcher(new Broken(backing), new FixedRequestors(new(0, 0, 1)), new RequestWait(dokan, clock, TimeSpan.FromSeconds(60), cap: null), new DokanVolume("x", 1, false), log);
        using var mount = DokanMount.Start(dokan, dispatcher, @"T:\", TimeSpan.FromSeconds(60), readOnly: false);
        using var info = new DokanFileInfoBlock(dokan.Options);
        var security = default(DokanIoSecurityContext);

        int status;
        fixed (char* name = @"\a.img")
        {
            status = dokan.Operations->ZwCreateFile(name, &security, 0x80000000, 0x80, 7, 1, 0, info.Pointer);
        }

        Assert.Equal(NtStatus.InternalError, status);
        var logged = Assert.Single(events, e => e.Level == LogEventLevel.Error);
        Assert.IsType<InvalidOperationException>(logged.Exception);
        Assert.Contains("ZwCreateFile", logged.RenderMessage());
        Assert.Contains(@"\a.img", logged.RenderMessage());
        Assert.Equal(0, dispatcher.OpenCount);
    }

    [Fact]
    public void DisposingTheMount_ClosesItThroughDokan_AndClosesTheOpensLeft()
    {
        var clock = new VirtualClock();
        var dokan = new RecordingDokanLibrary(clock);
        using var backing = new PortablePassthroughFileSystem(_folder);
        var dispatcher = new DokanDispatcher(backing, new FixedRequestors(new(0, 0, 1)), new RequestWait(dokan, clock, TimeSpan.FromSeconds(60), cap: null), new DokanVolume("x", 1, false), Logger.None);
        var mount = DokanMount.Start(dokan, dispatcher, @"T:\", TimeSpan.FromSeconds(60), readOnly: true);
        Assert.Equal((uint)(DokanOptionFlags.AllowIpcBatching | DokanOptionFlags.WriteProtect), dokan.Options->Options);
        using var info = new DokanFileInfoBlock(dokan.Options);
        var security = default(DokanIoSecurityContext);
        fixed (char* name = @"\")
        {
            Assert.Equal(NtStatus.Success, dokan.Operations->ZwCreateFile(name, &security, 0x80000000, 0, 7, 1, 0, info.Pointer));
        }

        Assert.Equal(1, dispatcher.OpenCount);
        mount.Dispose();

        Assert.Equal(1, dokan.ClosedHandles);
        Assert.Equal(0, dispatcher.OpenCount);
    }

    private sealed class Broken(IFileSystem inner) : FileSystemDecorator(inner)
    {
        public override Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out EntryInfo entry) => throw new InvalidOperationException("a bug below");
    }

    private sealed class Collect(List<LogEvent> events) : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            lock (events)
            {
                events.Add(logEvent);
            }
        }
    }
}
