using ThrottleFs.Cli;
using ThrottleFs.Platform.Windows.Dokan;
using ThrottleFs.Platform.Windows.Hosting;
using ThrottleFs.Platform.Windows.Tests.Dokan;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Tests.Hosting;

/// <summary>
/// <c>throttlefs mount … --foreground</c> and <c>unmount</c> on the Windows host, with dokan2 recorded instead of
/// installed: the checks before mounting, the library's life (Init, mount, close, Shutdown), and an unmount that ends
/// the serving command.
/// </summary>
public sealed unsafe class DokanMountHostTests : IDisposable
{
    private readonly string _source = Directory.CreateTempSubdirectory("throttlefs-host-").FullName;
    private readonly RecordingDokanLibrary _dokan = new(TimeProvider.System);

    public void Dispose() => Directory.Delete(_source, recursive: true);

    [Fact]
    public void InTheForeground_MountsServes_AndEndsWhenUnmounted()
    {
        var host = new DokanMountHost(_dokan, () => new FixedRequestors(new(1000, 1000, 1)));
        var error = new StringWriter();
        File.WriteAllText(Path.Combine(_source, "disk.img"), "data");

        var serving = Task.Factory.StartNew(
            () => ThrottleFsCommandLine.Run(["mount", _source, "q:", "--foreground"], host, error, TextWriter.Null),
            TaskCreationOptions.LongRunning);
        Assert.True(SpinWait.SpinUntil(() => _dokan.Operations is not null || serving.IsCompleted, TimeSpan.FromSeconds(30)), error.ToString());
        Assert.False(serving.IsCompleted, error.ToString());
        Assert.Equal(@"Q:\", new string(_dokan.Options->MountPoint));

        Assert.Equal(ExitCodes.Success, ThrottleFsCommandLine.Run(["unmount", "q:"], host, TextWriter.Null, TextWriter.Null));
        Assert.True(serving.Wait(TimeSpan.FromSeconds(30)));

        Assert.Equal(ExitCodes.Success, serving.Result);
        Assert.Contains(@"mounted " + _source + @" at Q:\", error.ToString());
        Assert.Equal([@"Q:\"], _dokan.RemovedMountPoints);
        Assert.Equal((1, 1, 1), (_dokan.Inits, _dokan.ClosedHandles, _dokan.Shutdowns));
        Assert.False(File.Exists(WindowsRunFiles.Pid(@"Q:\")));
    }

    [Fact]
    public void WithoutDokan_MountSaysToInstallIt_InOneLine_AndExitsOne()
    {
        var host = new DokanMountHost(new MissingDokan(), () => throw new InvalidOperationException("never asked"));
        var error = new StringWriter();

        var code = ThrottleFsCommandLine.Run(["mount", _source, "T:", "--foreground"], host, error, TextWriter.Null);

        Assert.Equal(ExitCodes.Failure, code);
        var message = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("dokan2.dll is not installed", message);
        Assert.Contains("install Dokan 2.x", message);
    }

    [Fact]
    public void AnOldDokan_IsRefused_NamingBothVersions()
    {
        var host = new DokanMountHost(new RecordingDokanLibrary(TimeProvider.System) { InstalledVersion = 200 }, () => throw new InvalidOperationException("never asked"));
        var error = new StringWriter();

        Assert.Equal(ExitCodes.Failure, ThrottleFsCommandLine.Run(["mount", _source, "T:", "--foreground"], host, error, TextWriter.Null));
        Assert.Contains("Dokan 2.0.0 is installed, but ThrottleFs needs Dokan 2.1.0 or later", error.ToString());
    }

    [Fact]
    public void UnmountingWhatIsNotMounted_SaysSo()
    {
        var host = new DokanMountHost(new NothingMounted(), () => throw new InvalidOperationException("never asked"));
        var error = new StringWriter();

        Assert.Equal(ExitCodes.Failure, ThrottleFsCommandLine.Run(["unmount", "r:"], host, error, TextWriter.Null));
        Assert.Contains(@"'R:\' is not mounted", error.ToString());
    }

    private sealed class MissingDokan : IDokanLibrary
    {
        public uint Version() => throw new DllNotFoundException("Unable to load DLL 'dokan2.dll'");

        public void Init() => throw new DllNotFoundException();

        public void Shutdown() => throw new DllNotFoundException();

        public int CreateFileSystem(DokanOptions* options, DokanOperations* operations, out nint instance) => throw new DllNotFoundException();

        public bool WaitForFileSystemClosed(nint instance, uint milliseconds) => throw new DllNotFoundException();

        public void CloseHandle(nint instance) => throw new DllNotFoundException();

        public bool RemoveMountPoint(string mountPoint) => throw new DllNotFoundException();

        public bool ResetTimeout(uint milliseconds, DokanFileInfo* info) => throw new DllNotFoundException();
    }

    private sealed class NothingMounted : IDokanLibrary
    {
        public uint Version() => 231;

        public void Init()
        {
        }

        public void Shutdown()
        {
        }

        public int CreateFileSystem(DokanOptions* options, DokanOperations* operations, out nint instance) => throw new InvalidOperationException();

        public bool WaitForFileSystemClosed(nint instance, uint milliseconds) => true;

        public void CloseHandle(nint instance)
        {
        }

        public bool RemoveMountPoint(string mountPoint) => false;

        public bool ResetTimeout(uint milliseconds, DokanFileInfo* info) => true;
    }
}
